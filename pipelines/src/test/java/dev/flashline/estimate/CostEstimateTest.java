package dev.flashline.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.estimate.CachePrediction.Scenario;
import dev.flashline.estimate.CostEstimate.Result;
import dev.flashline.schema.TaskType;
import dev.flashline.task.CostSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cost arithmetic against the shipped price schedule. */
class CostEstimateTest {
  /** A Tuesday at 02:00 UTC, in the peak-hours entry. */
  private static final Instant TIERED = Instant.parse("2026-09-01T02:00:00Z");
  private static final List<String> MODELS = List.of("deepseek-v4-flash", "deepseek-v4-pro");

  /** P = 200 (800 characters), 10 distinct documents of 50 tokens, 13 output tokens each. */
  private static TaskLoad task(String name, double escalated, boolean reuse) {
    return new TaskLoad(name, TaskType.classify, "deepseek-v4-flash", 200, 800, 10, 500, 130, 2, 100, 26, reuse,
        new TaskLoad.Cascade(0.9, true, escalated, 100, true));
  }

  private static CostEstimate estimate(List<TaskLoad> tasks, Instant at) {
    PriceColumns prices = PriceColumns.of(PriceSchedule.defaults(), at, MODELS);
    return CostEstimate.compute(tasks, prices, 4, 0, 12, CostSpec.defaults());
  }

  @Test
  void primedGroupedAndArrivalOrderAtPeakAndOffPeak() {
    CostEstimate e = estimate(List.of(task("t", 1.0, true)), TIERED);
    assertThat(e.prices().entryId()).isEqualTo("deepseek-v4-peak-2026-08-16");
    assertThat(e.prices().tiers()).containsExactly("peak", "off_peak");
    assertThat(e.jobScenario()).isEqualTo(Scenario.grouped_primed);

    Result primed = e.result(Scenario.grouped_primed, false);
    assertThat(primed.primed()).containsEntry("t", true);
    assertThat(primed.promptTokens()).isEqualTo(2500 + 201);
    assertThat(primed.hitTokens()).isEqualTo(2000);
    assertThat(primed.missTokens()).isEqualTo(701);
    assertThat(primed.outputTokens()).isEqualTo(131);
    // flash peak 0.014 / 0.44 / 1.32 per 1M
    assertThat(primed.costs().get("deepseek-v4-flash").get("peak"))
        .isCloseTo((2000 * 0.014 + 701 * 0.44 + 131 * 1.32) / 1e6, within(1e-12));
    // pro off-peak 0.022 / 0.66 / 1.98
    assertThat(primed.costs().get("deepseek-v4-pro").get("off_peak"))
        .isCloseTo((2000 * 0.022 + 701 * 0.66 + 131 * 1.98) / 1e6, within(1e-12));
    assertThat(primed.asConfigured().get("peak")).isEqualTo(primed.costs().get("deepseek-v4-flash").get("peak"));
    assertThat(primed.hitRatio()).isCloseTo(2000.0 / 2701, within(1e-12));

    Result arrival = e.result(Scenario.arrival_order, false);
    assertThat(arrival.hitTokens()).isEqualTo(6 * 192);
    assertThat(arrival.costs().get("deepseek-v4-flash").get("peak"))
        .isCloseTo((1152 * 0.014 + 1348 * 0.44 + 130 * 1.32) / 1e6, within(1e-12));

    Result ideal = e.result(Scenario.ideal, false);
    assertThat(ideal.costs().get("deepseek-v4-flash").get("off_peak"))
        .isCloseTo((2000 * 0.007 + 500 * 0.22 + 130 * 0.66) / 1e6, within(1e-12));
  }

  @Test
  void anUntieredEntryHasOneStandardColumn() {
    CostEstimate e = estimate(List.of(task("t", 1.0, true)), Instant.parse("2026-07-01T00:00:00Z"));
    assertThat(e.prices().tiers()).containsExactly("standard");
    Result ideal = e.result(Scenario.ideal, false);
    // pro list price 0.0145 / 1.74 / 3.48
    assertThat(ideal.costs().get("deepseek-v4-pro").get("standard"))
        .isCloseTo((2000 * 0.0145 + 500 * 1.74 + 130 * 3.48) / 1e6, within(1e-12));
  }

  @Test
  void theCascadeSendsOnlyTheEscalatedShare() {
    CostEstimate e = estimate(List.of(task("t", 0.5, true)), TIERED);
    Result with = e.result(Scenario.ideal, true);
    assertThat(with.requests()).isEqualTo(5);
    assertThat(with.promptTokens()).isEqualTo(5 * 200 + 250);
    assertThat(with.outputTokens()).isEqualTo(65);
    assertThat(e.result(Scenario.ideal, false).requests()).isEqualTo(10);
  }

  @Test
  void duplicatesAreSentOnlyWithoutReuse() {
    Result reused = estimate(List.of(task("t", 1.0, true)), TIERED).result(Scenario.ideal, false);
    Result asked = estimate(List.of(task("t", 1.0, false)), TIERED).result(Scenario.ideal, false);
    assertThat(reused.requests()).isEqualTo(10);
    assertThat(asked.requests()).isEqualTo(12);
    assertThat(asked.promptTokens()).isEqualTo(reused.promptTokens() + 2 * 200 + 100);
    assertThat(asked.outputTokens()).isEqualTo(reused.outputTokens() + 26);
  }

  @Test
  void jobSettingsChooseTheJobScenario() {
    PriceColumns prices = PriceColumns.of(PriceSchedule.defaults(), TIERED, MODELS);
    List<TaskLoad> tasks = List.of(task("t", 1.0, true));
    assertThat(CostEstimate.compute(tasks, prices, 4, 0, 10, CostSpec.defaults().withGrouping(false)).jobScenario())
        .isEqualTo(Scenario.arrival_order);
    assertThat(CostEstimate.compute(tasks, prices, 4, 0, 10, CostSpec.defaults().withPriming(CostSpec.Priming.off)).jobScenario())
        .isEqualTo(Scenario.grouped);
  }

  @Test
  void arrivalOrderSharesTheFirstWaveBetweenTasks() {
    CostEstimate e = estimate(List.of(task("a", 1.0, true), task("b", 1.0, true)), TIERED);
    // 20 requests, 4 in flight: each task's share is 2 cold; 8 each hit 192.
    assertThat(e.result(Scenario.arrival_order, false).hitTokens()).isEqualTo(2 * 8 * 192);
    assertThat(e.result(Scenario.grouped_primed, false).primers()).isEqualTo(2);
  }
}
