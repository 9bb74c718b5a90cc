package dev.flashline.task;

import java.io.Serializable;

/**
 * How a job keeps its bill down (see docs/cost-controls.md). Every control is on by default
 * except the budget and the result store, which need a value.
 *
 * @param grouping send requests that share a prompt prefix together, in batches of
 *     {@code batchSize}, so the provider's prefix cache keeps hitting
 * @param batchSize requests per prefix group and worker; also the unit a primer is paid for
 * @param maxBatchWaitSeconds in a stream, how long a partial group may wait for more records
 * @param priming warm a cold prefix with one short request before fanning its group out: auto
 *     (when the expected saving pays for the primer), always, or off
 * @param primeSettleSeconds wait after the primer returns before releasing the group; DeepSeek
 *     needs "seconds" to build a cache entry
 * @param cacheTtlSeconds how long a prefix seen to hit stays warm without a new primer
 * @param reuse ask identical documents once per task; the duplicates reuse the answer at no cost
 * @param resultStore directory of answers keyed by content hash, so a rerun skips what is done
 * @param maxCostUsd stop sending before the projected spend would cross this cap
 */
public record CostSpec(
    Boolean grouping,
    Integer batchSize,
    Double maxBatchWaitSeconds,
    Priming priming,
    Double primeSettleSeconds,
    Double cacheTtlSeconds,
    Boolean reuse,
    String resultStore,
    Double maxCostUsd)
    implements Serializable {
  public static final int DEFAULT_BATCH_SIZE = 512;
  public static final double DEFAULT_MAX_BATCH_WAIT_SECONDS = 2;
  public static final double DEFAULT_PRIME_SETTLE_SECONDS = 1;
  public static final double DEFAULT_CACHE_TTL_SECONDS = 600;

  /** When to prime a prefix group. */
  public enum Priming {
    auto,
    always,
    off
  }

  public CostSpec {
    grouping = grouping == null || grouping;
    batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    if (batchSize < 1 || batchSize > 100_000) {
      throw new IllegalArgumentException("cost.batch_size must be 1..100000, got " + batchSize);
    }
    maxBatchWaitSeconds = positive("cost.max_batch_wait_seconds", maxBatchWaitSeconds, DEFAULT_MAX_BATCH_WAIT_SECONDS);
    priming = priming == null ? Priming.auto : priming;
    primeSettleSeconds = nonNegative("cost.prime_settle_seconds", primeSettleSeconds, DEFAULT_PRIME_SETTLE_SECONDS);
    cacheTtlSeconds = nonNegative("cost.cache_ttl_seconds", cacheTtlSeconds, DEFAULT_CACHE_TTL_SECONDS);
    reuse = reuse == null || reuse;
    resultStore = resultStore == null || resultStore.isBlank() ? null : resultStore.strip();
    if (maxCostUsd != null && !(maxCostUsd >= 0) ) {
      throw new IllegalArgumentException("cost.max_cost_usd must be a number >= 0, got " + maxCostUsd);
    }
  }

  public static CostSpec defaults() {
    return new CostSpec(null, null, null, null, null, null, null, null, null);
  }

  public CostSpec withGrouping(boolean value) {
    return new CostSpec(value, batchSize, maxBatchWaitSeconds, priming, primeSettleSeconds, cacheTtlSeconds, reuse, resultStore, maxCostUsd);
  }

  public CostSpec withPriming(Priming value) {
    return new CostSpec(grouping, batchSize, maxBatchWaitSeconds, value, primeSettleSeconds, cacheTtlSeconds, reuse, resultStore, maxCostUsd);
  }

  public CostSpec withReuse(boolean value) {
    return new CostSpec(grouping, batchSize, maxBatchWaitSeconds, priming, primeSettleSeconds, cacheTtlSeconds, value, resultStore, maxCostUsd);
  }

  public CostSpec withResultStore(String value) {
    return new CostSpec(grouping, batchSize, maxBatchWaitSeconds, priming, primeSettleSeconds, cacheTtlSeconds, reuse, value, maxCostUsd);
  }

  public CostSpec withMaxCostUsd(Double value) {
    return new CostSpec(grouping, batchSize, maxBatchWaitSeconds, priming, primeSettleSeconds, cacheTtlSeconds, reuse, resultStore, value);
  }

  public CostSpec withBatchSize(int value) {
    return new CostSpec(grouping, value, maxBatchWaitSeconds, priming, primeSettleSeconds, cacheTtlSeconds, reuse, resultStore, maxCostUsd);
  }

  public CostSpec withPrimeSettleSeconds(double value) {
    return new CostSpec(grouping, batchSize, maxBatchWaitSeconds, priming, value, cacheTtlSeconds, reuse, resultStore, maxCostUsd);
  }

  private static double positive(String field, Double value, double fallback) {
    double v = value == null ? fallback : value;
    if (!(v > 0)) {
      throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }
    return v;
  }

  private static double nonNegative(String field, Double value, double fallback) {
    double v = value == null ? fallback : value;
    if (!(v >= 0)) {
      throw new IllegalArgumentException(field + " must be >= 0, got " + v);
    }
    return v;
  }
}
