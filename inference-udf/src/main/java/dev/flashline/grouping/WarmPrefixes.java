package dev.flashline.grouping;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Which prompt prefixes this JVM knows to be in a server's cache, and the primers in flight. One
 * per JVM: workers of a job that share a prefix prime it once between them, and a prefix that hit
 * recently is not primed again.
 */
public final class WarmPrefixes {
  private static final Map<String, Long> WARM_SINCE = new HashMap<>();
  private static final Map<String, CompletableFuture<Void>> PRIMING = new HashMap<>();

  private WarmPrefixes() {}

  /** @param key the server and the prefix key */
  public static synchronized boolean isWarm(String key, double ttlSeconds) {
    Long since = WARM_SINCE.get(key);
    return since != null && System.nanoTime() - since < (long) (ttlSeconds * 1e9);
  }

  /** Records that a request just hit the prefix (or a primer for it just finished). */
  public static synchronized void markWarm(String key) {
    WARM_SINCE.put(key, System.nanoTime());
  }

  /**
   * Runs {@code primer} unless another worker is already priming the same key, in which case its
   * primer is waited for instead.
   *
   * @return the primer this caller must wait for, and whether this caller started it (and pays)
   */
  public static Priming primeOnce(String key, Supplier<CompletableFuture<Void>> primer) {
    CompletableFuture<Void> started;
    synchronized (WarmPrefixes.class) {
      CompletableFuture<Void> running = PRIMING.get(key);
      if (running != null) {
        return new Priming(running, false);
      }
      started = new CompletableFuture<>();
      PRIMING.put(key, started);
    }
    primer.get().whenComplete((ignored, error) -> {
      synchronized (WarmPrefixes.class) {
        PRIMING.remove(key);
        if (error == null) {
          WARM_SINCE.put(key, System.nanoTime());
        }
      }
      if (error == null) {
        started.complete(null);
      } else {
        started.completeExceptionally(error);
      }
    });
    return new Priming(started, true);
  }

  /** A primer to wait for; {@code ours} when this caller sent it. */
  public record Priming(CompletableFuture<Void> done, boolean ours) {}

  /** Forgets everything (tests). */
  public static synchronized void clear() {
    WARM_SINCE.clear();
  }
}
