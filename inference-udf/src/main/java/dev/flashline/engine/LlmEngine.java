package dev.flashline.engine;

import dev.flashline.engine.models.LlamaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The native runtime's loop, one thread: sequences are submitted at any time and join the running
 * batch at the next step (continuous batching); each step the {@link Scheduler} picks prefill or
 * decode work, the {@link ModelRunner} computes it, and finished sequences leave.
 */
public final class LlmEngine {
  private final Scheduler scheduler;
  private final ModelRunner runner;
  private long nextId;

  /**
   * @param numBlocks KV blocks of {@code blockSize} tokens each, for all sequences together
   * @param eosTokenId the model's end-of-sequence token, or -1
   */
  public LlmEngine(LlamaModel model, int numBlocks, int blockSize, int maxNumSeqs, int maxNumBatchedTokens, int eosTokenId) {
    this.scheduler = new Scheduler(new BlockManager(numBlocks, blockSize), maxNumSeqs, maxNumBatchedTokens, eosTokenId);
    this.runner = new ModelRunner(model, numBlocks, blockSize);
  }

  /** Queues a prompt; it is prefilled at the next step that has room. */
  public Sequence submit(int[] prompt, SamplingParams params) {
    return submit(prompt, params, 0);
  }

  /**
   * Queues a prompt whose last {@code scoredTokens} tokens are scored (see
   * {@link Sequence#scoredLogprobs()}); with {@code SamplingParams.greedy(1)} it finishes after its
   * prefill.
   */
  public Sequence submit(int[] prompt, SamplingParams params, int scoredTokens) {
    Sequence seq = new Sequence(nextId++, prompt, params, scoredTokens);
    scheduler.add(seq);
    return seq;
  }

  /** Runs one step; false when there was nothing to do. */
  public boolean step() {
    if (scheduler.isIdle()) {
      return false;
    }
    ScheduledBatch batch = scheduler.schedule();
    if (batch.isEmpty()) {
      return false;
    }
    long start = System.nanoTime();
    int[] sampled = runner.run(batch);
    attribute(batch, (System.nanoTime() - start) / 1e9);
    scheduler.postprocess(batch, sampled);
    return true;
  }

  /** Submits the prompts and steps until all of them have finished. */
  public List<Sequence> generate(List<int[]> prompts, SamplingParams params) {
    List<Sequence> out = new ArrayList<>();
    for (int[] prompt : prompts) {
      out.add(submit(prompt, params));
    }
    while (out.stream().anyMatch(seq -> !seq.isFinished())) {
      if (!step()) {
        throw new IllegalStateException("the engine stopped with sequences unfinished");
      }
    }
    return out;
  }

  /** Splits a step's time over its sequences by the tokens each had computed in it. */
  private static void attribute(ScheduledBatch batch, double seconds) {
    int[] starts = batch.queryStarts();
    double total = batch.numTokens();
    for (int s = 0; s < batch.size(); s++) {
      batch.sequences().get(s).addComputeSeconds(seconds * (starts[s + 1] - starts[s]) / total);
    }
  }

  public Scheduler scheduler() {
    return scheduler;
  }
}
