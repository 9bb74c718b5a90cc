package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.task.ComputeSpec;
import org.junit.jupiter.api.Test;

class ComputeCostTest {
  @Test
  void oneCpuHourCostsTheHourlyRate() {
    assertThat(ComputeCost.usd(3600, ComputeSpec.defaults())).isCloseTo(0.05, within(1e-15));
    assertThat(ComputeCost.usd(3600, new ComputeSpec(0.12))).isCloseTo(0.12, within(1e-15));
  }

  @Test
  void costIsProportionalToCpuTime() {
    ComputeSpec rate = new ComputeSpec(0.36);
    assertThat(ComputeCost.usd(0, rate)).isZero();
    assertThat(ComputeCost.usd(1, rate)).isCloseTo(0.0001, within(1e-15));
    assertThat(ComputeCost.usd(10, rate)).isCloseTo(10 * ComputeCost.usd(1, rate), within(1e-15));
    assertThat(ComputeCost.usd(1000, new ComputeSpec(0.0))).isZero();
  }

  @Test
  void scheduleIdNamesTheRate() {
    assertThat(ComputeCost.scheduleId(ComputeSpec.defaults())).isEqualTo("cpu-hour@0.05usd");
    assertThat(ComputeCost.scheduleId(new ComputeSpec(0.1))).isEqualTo("cpu-hour@0.1usd");
    assertThat(ComputeCost.scheduleId(new ComputeSpec(0.05)))
        .isEqualTo(ComputeCost.scheduleId(ComputeSpec.defaults()))
        .isNotEqualTo(ComputeCost.scheduleId(new ComputeSpec(0.06)));
  }

  @Test
  void cpuClockAdvancesWithWork() {
    long start = CpuClock.threadNanos();
    double sink = 0;
    for (int i = 0; i < 2_000_000; i++) {
      sink += Math.sqrt(i);
    }
    assertThat(sink).isPositive();
    assertThat(CpuClock.threadNanos()).isGreaterThanOrEqualTo(start);
  }
}
