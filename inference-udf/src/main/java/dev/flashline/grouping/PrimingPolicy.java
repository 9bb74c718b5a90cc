package dev.flashline.grouping;

import dev.flashline.cost.UnitPrices;
import dev.flashline.task.CostSpec;

/**
 * Whether to warm a prefix before fanning its group out. A cold group sent at full concurrency
 * misses the cache on every request in flight before the first one ends (DeepSeek persists a
 * prefix only when a request ends at it); one primer that ends exactly at the prefix, waited for,
 * turns all but itself into hits.
 */
public record PrimingPolicy(CostSpec.Priming mode) {
  public PrimingPolicy {
    if (mode == null) {
      throw new IllegalArgumentException("mode is required");
    }
  }

  /**
   * What priming a cold group is expected to save, net of the primer.
   *
   * @param groupSize requests in the group
   * @param concurrency requests this worker sends at once
   * @param prefixTokens tokens of the shared prefix
   * @param prices the model's prices now
   */
  public static double expectedNetSaving(int groupSize, int concurrency, long prefixTokens, UnitPrices prices) {
    // Without a primer the first wave (as many as fit in flight) all miss the prefix; with one,
    // only the primer pays the miss price for it, plus its one output token.
    long firstWave = Math.min(groupSize, Math.max(1, concurrency));
    double perHit = (prices.cacheMiss() - prices.cacheHit()) * prefixTokens / 1e6;
    double saving = firstWave * perHit;
    double primer = prefixTokens * prices.cacheMiss() / 1e6 + prices.output() / 1e6;
    return saving - primer;
  }

  /** @param warm whether the prefix is known to be cached already (it hit recently) */
  public boolean shouldPrime(boolean warm, int groupSize, int concurrency, long prefixTokens, UnitPrices prices) {
    return switch (mode) {
      case off -> false;
      case always -> !warm;
      case auto -> !warm && groupSize > 1 && expectedNetSaving(groupSize, concurrency, prefixTokens, prices) > 0;
    };
  }
}
