package dev.flashline.engine;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs an {@link LlmEngine} on its own thread, which the engine needs (it is not thread-safe),
 * and lets any number of request threads submit prompts: a submission joins the running batch at
 * the next step, and its future completes when its sequence finishes.
 */
public final class EngineWorker implements AutoCloseable {
  private record Submission(int[] prompt, SamplingParams params, int scoredTokens, CompletableFuture<Sequence> done) {}

  private final LlmEngine engine;
  private final LinkedBlockingQueue<Submission> submissions = new LinkedBlockingQueue<>();
  /** Touched by the engine thread only. */
  private final Map<Sequence, CompletableFuture<Sequence>> pending = new IdentityHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  public EngineWorker(LlmEngine engine) {
    this.engine = engine;
    this.thread = new Thread(this::loop, "flashline-engine");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public CompletableFuture<Sequence> submit(int[] prompt, SamplingParams params) {
    return submit(prompt, params, 0);
  }

  /** Submits a prompt whose last {@code scoredTokens} tokens are scored; see {@link LlmEngine#submit(int[], SamplingParams, int)}. */
  public CompletableFuture<Sequence> submit(int[] prompt, SamplingParams params, int scoredTokens) {
    CompletableFuture<Sequence> done = new CompletableFuture<>();
    submissions.add(new Submission(prompt, params, scoredTokens, done));
    if (!running) {
      done.completeExceptionally(new IllegalStateException("the engine has stopped"));
    }
    return done;
  }

  private void loop() {
    RuntimeException failure = null;
    try {
      while (running) {
        // Idle: wait for work. Busy: take whatever has arrived and keep stepping.
        Submission next = pending.isEmpty() ? submissions.poll(100, TimeUnit.MILLISECONDS) : submissions.poll();
        for (; next != null; next = submissions.poll()) {
          try {
            pending.put(engine.submit(next.prompt(), next.params(), next.scoredTokens()), next.done());
          } catch (RuntimeException e) {
            // A prompt the cache can never hold fails alone.
            next.done().completeExceptionally(e);
          }
        }
        if (pending.isEmpty()) {
          continue;
        }
        engine.step();
        pending.entrySet().removeIf(entry -> {
          if (entry.getKey().isFinished()) {
            entry.getValue().complete(entry.getKey());
            return true;
          }
          return false;
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      running = false;
      RuntimeException cause = failure != null ? failure : new IllegalStateException("the engine has stopped");
      pending.values().forEach(done -> done.completeExceptionally(cause));
      for (Submission left = submissions.poll(); left != null; left = submissions.poll()) {
        left.done().completeExceptionally(cause);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
