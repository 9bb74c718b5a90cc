package dev.flashline.cost;

import java.io.Serializable;

/**
 * What one model costs in one price tier, in USD per 1,000,000 tokens.
 *
 * @param cacheHit input tokens served from the provider's context cache
 * @param cacheMiss input tokens not served from the cache
 * @param output completion tokens, reasoning included
 */
public record UnitPrices(double cacheHit, double cacheMiss, double output) implements Serializable {
  private static final double TOKENS_PER_UNIT = 1_000_000.0;

  public UnitPrices {
    requirePrice("cacheHit", cacheHit);
    requirePrice("cacheMiss", cacheMiss);
    requirePrice("output", output);
  }

  /** The cost of the usage at these prices. */
  public double usd(TokenUsage usage) {
    return (usage.cacheHitTokens() * cacheHit
            + usage.cacheMissTokens() * cacheMiss
            + usage.outputTokens() * output)
        / TOKENS_PER_UNIT;
  }

  private static void requirePrice(String name, double value) {
    // NaN fails both comparisons, so it is caught here too.
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
  }
}
