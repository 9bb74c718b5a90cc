package dev.flashline.backend.openai;

import java.time.Duration;

/**
 * How a {@link ChatCompletionsServer} counts tokens and emulates DeepSeek's context cache.
 *
 * <ul>
 *   <li>{@link #simple()}, the default: the stand-in tokenizer {@link Tokens} and {@link
 *       PrefixCache}, whose numbers a test can derive by hand.
 *   <li>{@link #deepSeek(Duration, Duration)}: real DeepSeek V3 token counts on the rendered chat
 *       template, and {@link DeepSeekCache}, which follows DeepSeek's description of its cache
 *       (units at request boundaries, common-prefix detection, build time, expiry), for
 *       benchmarks whose cache-hit numbers must mean something.
 * </ul>
 */
public sealed interface CacheModel permits CacheModel.Simple, CacheModel.DeepSeek {

  static CacheModel simple() {
    return new Simple();
  }

  /**
   * @param build how long after the request that creates a unit completes the unit can be hit
   *     (DeepSeek: "seconds"; tests use tens of milliseconds)
   * @param expiry how long after its last use (creation or hit) a unit is dropped
   */
  static DeepSeek deepSeek(Duration build, Duration expiry) {
    return new DeepSeek(build, expiry, DeepSeek.UNLIMITED);
  }

  /** The stand-in tokenizer and the simplified cache; see {@link PrefixCache}. */
  record Simple() implements CacheModel {}

  /**
   * DeepSeek's context cache as {@link DeepSeekCache} models it.
   *
   * @param capacityTokens the most tokens all units may hold together, the least recently used
   *     evicted first; {@link #UNLIMITED} for no limit (DeepSeek publishes none). Each unit counts
   *     its full length, as if units shared no storage, so a limit is a knob for showing that
   *     interleaved workloads thrash, not a model of DeepSeek's memory.
   */
  record DeepSeek(Duration build, Duration expiry, long capacityTokens) implements CacheModel {
    public static final long UNLIMITED = Long.MAX_VALUE;

    public DeepSeek {
      if (build == null || expiry == null) {
        throw new IllegalArgumentException("build and expiry are required");
      }
      if (build.isNegative()) {
        throw new IllegalArgumentException("build must be >= 0: " + build);
      }
      // A unit that expires before it is built could never be hit: surely a mistake.
      if (expiry.compareTo(build) <= 0) {
        throw new IllegalArgumentException("expiry must exceed build: " + expiry + " <= " + build);
      }
      if (capacityTokens < 1) {
        throw new IllegalArgumentException("capacityTokens must be >= 1: " + capacityTokens);
      }
    }

    public DeepSeek withCapacityTokens(long capacityTokens) {
      return new DeepSeek(build, expiry, capacityTokens);
    }
  }
}
