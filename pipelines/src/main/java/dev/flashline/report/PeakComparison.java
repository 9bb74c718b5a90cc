package dev.flashline.report;

import dev.flashline.cost.ModelPrices;
import dev.flashline.cost.PriceEntry;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.TokenUsage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spend by price tier, and what the same billed tokens would have cost at peak prices: the
 * report's answer to "what did off-peak scheduling save?".
 */
public final class PeakComparison {
  /** The tier of work from rows that named none (written before rows carried tiers). */
  static final String UNKNOWN_TIER = "unknown";

  private PeakComparison() {}

  /** Spend per tier (peak, off_peak, standard), from the per-price totals. */
  public static List<CostReport.TierSpend> byTier(Collection<PriceTotals> prices) {
    Map<String, long[]> counts = new TreeMap<>(); // requests, hit, miss, output
    Map<String, Double> costs = new TreeMap<>();
    for (PriceTotals price : prices) {
      String tier = price.priceTier == null ? UNKNOWN_TIER : price.priceTier;
      long[] c = counts.computeIfAbsent(tier, key -> new long[4]);
      c[0] += price.requests;
      c[1] += price.cacheHitTokens;
      c[2] += price.cacheMissTokens;
      c[3] += price.outputTokens;
      costs.merge(tier, price.costUsd, Double::sum);
    }
    List<CostReport.TierSpend> out = new ArrayList<>();
    counts.forEach((tier, c) -> out.add(new CostReport.TierSpend(tier, c[0], c[1], c[2], c[3], costs.get(tier))));
    return out;
  }

  /**
   * What the same work would have cost at the peak prices of the schedule entry and model each
   * off-peak charge was billed under. Work billed at peak or at a standard price (self-hosted
   * compute included) counts at what it cost: it had no cheaper or dearer alternative.
   *
   * @return null when some off-peak work names a schedule entry or model that {@code schedule}
   *     does not price with tiers (the report was made with other prices), so no honest figure exists
   */
  public static Double costAtPeakUsd(Collection<PriceTotals> prices, PriceSchedule schedule) {
    double total = 0;
    for (PriceTotals price : prices) {
      if (!"off_peak".equals(price.priceTier)) {
        total += price.costUsd;
        continue;
      }
      ModelPrices model = modelPrices(schedule, price.priceSchedule, price.model);
      if (model == null || !model.tiered()) {
        return null;
      }
      long prompt = price.cacheHitTokens + price.cacheMissTokens;
      total += model.peak().usd(new TokenUsage(prompt, price.cacheHitTokens, price.cacheMissTokens, price.outputTokens, 0));
    }
    return total;
  }

  private static ModelPrices modelPrices(PriceSchedule schedule, String entryId, String model) {
    for (PriceEntry entry : schedule.entries()) {
      if (entry.id().equals(entryId)) {
        return entry.models().get(model);
      }
    }
    return null;
  }
}
