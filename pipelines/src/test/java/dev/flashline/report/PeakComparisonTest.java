package dev.flashline.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.PriceSchedule;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PeakComparisonTest {
  private static final PriceSchedule DEEPSEEK = PriceSchedule.defaults();

  private static PriceTotals price(String model, String tier, String schedule, long hit, long miss, long out, double cost) {
    PriceTotals price = new PriceTotals();
    price.backend = "openai";
    price.model = model;
    price.priceTier = tier;
    price.priceSchedule = schedule;
    price.requests = 10;
    price.cacheHitTokens = hit;
    price.cacheMissTokens = miss;
    price.outputTokens = out;
    price.costUsd = cost;
    return price;
  }

  @Test
  void offPeakWorkIsRepricedAtThePeakPricesOfItsEntryAndModel() {
    // flash off-peak 0.007 / 0.22 / 0.66, peak 0.014 / 0.44 / 1.32 (entry deepseek-v4-peak-2026-08-16).
    PriceTotals offPeak = price("deepseek-v4-flash", "off_peak", "deepseek-v4-peak-2026-08-16", 1_000_000, 2_000_000, 500_000, 0.007 + 0.44 + 0.33);
    PriceTotals peak = price("deepseek-v4-pro", "peak", "deepseek-v4-peak-2026-08-16", 0, 1_000_000, 0, 1.32);
    PriceTotals standard = price("deepseek-v4-flash", "standard", "deepseek-v4-launch", 0, 1_000_000, 0, 0.14);

    Double atPeak = PeakComparison.costAtPeakUsd(List.of(offPeak, peak, standard), DEEPSEEK);

    assertThat(atPeak).isCloseTo((0.014 + 2 * 0.44 + 0.5 * 1.32) + 1.32 + 0.14, Offset.offset(1e-12));
  }

  @Test
  void noFigureWhenTheOffPeakEntryIsNotInTheSchedule() {
    PriceTotals offPeak = price("deepseek-v4-flash", "off_peak", "someone-elses-prices", 0, 1_000_000, 0, 0.22);

    assertThat(PeakComparison.costAtPeakUsd(List.of(offPeak), DEEPSEEK)).isNull();
  }

  @Test
  void spendIsSummedPerTier() {
    List<CostReport.TierSpend> tiers =
        PeakComparison.byTier(
            List.of(
                price("deepseek-v4-flash", "off_peak", "e", 1, 2, 3, 0.5),
                price("deepseek-v4-pro", "off_peak", "e", 10, 20, 30, 1.5),
                price("deepseek-v4-pro", "peak", "e", 100, 200, 300, 4.0)));

    assertThat(tiers)
        .containsExactly(
            new CostReport.TierSpend("off_peak", 20, 11, 22, 33, 2.0), new CostReport.TierSpend("peak", 10, 100, 200, 300, 4.0));
  }
}
