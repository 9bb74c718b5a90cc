package dev.flashline.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.estimate.CachePrediction.Scenario;
import dev.flashline.estimate.CachePrediction.TaskHits;
import org.junit.jupiter.api.Test;

/** The predicted hits, computed by hand from the cache rules (docs/estimate.md). */
class CachePredictionTest {
  @Test
  void prefixOf200With4InFlightAnd10Requests() {
    // The common-prefix unit is 200 cut down to a multiple of 64: 192.
    assertThat(CachePrediction.commonUnit(200, 0)).isEqualTo(192);
    // Arrival order, one task: the first 4 in flight miss, the 6 others hit 192.
    TaskHits arrival = CachePrediction.hits(Scenario.arrival_order, 10, 10, 4, 200, 0, true);
    assertThat(arrival.hitTokens()).isEqualTo(6 * 192);
    assertThat(arrival.cold()).isEqualTo(4);
    // Grouped, not primed: the first wave of min(10, 4) misses, the rest hit 192.
    assertThat(CachePrediction.hits(Scenario.grouped, 10, 10, 4, 200, 0, true).hitTokens()).isEqualTo(6 * 192);
    // Grouped and primed: every request hits all 200; the primer pays 201 (the assistant marker) and 1 output.
    TaskHits primed = CachePrediction.hits(Scenario.grouped_primed, 10, 10, 4, 200, 0, true);
    assertThat(primed.hitTokens()).isEqualTo(2000);
    assertThat(primed.primers()).isEqualTo(1);
    assertThat(primed.primerMissTokens()).isEqualTo(201);
    assertThat(primed.primerOutputTokens()).isEqualTo(1);
    // Ideal: every request hits all 200, no primer.
    TaskHits ideal = CachePrediction.hits(Scenario.ideal, 10, 10, 4, 200, 0, true);
    assertThat(ideal.hitTokens()).isEqualTo(2000);
    assertThat(ideal.primers()).isZero();
  }

  @Test
  void aPrimedTaskNotWorthPrimingIsGrouped() {
    assertThat(CachePrediction.hits(Scenario.grouped_primed, 10, 10, 4, 200, 0, false))
        .isEqualTo(CachePrediction.hits(Scenario.grouped, 10, 10, 4, 200, 0, false));
  }

  @Test
  void theDocumentLeadCanReachTheNextMultipleOf64() {
    // P = 190 and 3 shared fence tokens: the common prefix is 193, its unit 192 > P.
    assertThat(CachePrediction.commonUnit(190, 3)).isEqualTo(192);
    assertThat(CachePrediction.hits(Scenario.grouped, 10, 10, 4, 190, 3, false).hitTokens()).isEqualTo(6 * 192);
    // Primed: the first wave hits the primer's 190, the later ones the longer 192.
    assertThat(CachePrediction.hits(Scenario.grouped_primed, 10, 10, 4, 190, 3, true).hitTokens()).isEqualTo(4 * 190 + 6 * 192);
    // Below 64 tokens there is no common-prefix unit.
    assertThat(CachePrediction.commonUnit(60, 2)).isZero();
  }

  @Test
  void coldRequestsInArrivalOrderAreEachTasksShareOfTheFirstWave() {
    // Two tasks of 30 and 10 requests, 8 in flight: 6 and 2 of the first 8.
    assertThat(CachePrediction.coldInArrivalOrder(30, 40, 8)).isEqualTo(6);
    assertThat(CachePrediction.coldInArrivalOrder(10, 40, 8)).isEqualTo(2);
    // At least 2 (the second request is what detects the common prefix), at most the task's own.
    assertThat(CachePrediction.coldInArrivalOrder(100, 10_000, 8)).isEqualTo(2);
    assertThat(CachePrediction.coldInArrivalOrder(1, 40, 8)).isEqualTo(1);
    assertThat(CachePrediction.coldGrouped(3, 256)).isEqualTo(3);
    assertThat(CachePrediction.coldGrouped(1000, 1)).isEqualTo(2);
  }
}
