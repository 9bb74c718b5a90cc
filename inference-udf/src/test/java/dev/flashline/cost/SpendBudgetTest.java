package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpendBudgetTest {
  @Test
  void reservationsInFlightCountAgainstTheCapAndRefusalLatches() {
    SpendBudget budget = SpendBudget.of(1.0);
    assertThat(budget.tryReserve(0.4)).isTrue();
    assertThat(budget.tryReserve(0.4)).isTrue();
    // 0.8 in flight: another 0.4 would project to 1.2.
    assertThat(budget.tryReserve(0.4)).isFalse();
    assertThat(budget.exhausted()).isTrue();
    budget.settle(0.4, 0.1);
    budget.settle(0.4, 0.1);
    assertThat(budget.spent()).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
    // Room again, but the job has stopped sending: "the rest" fail with reason budget.
    assertThat(budget.tryReserve(0.01)).isFalse();
  }

  @Test
  void workersOfOneRunShareOneBudgetInProportion() {
    try (SpendBudget.Lease a = SpendBudget.acquire("run-b1", 10.0, 4);
        SpendBudget.Lease b = SpendBudget.acquire("run-b1", 10.0, 4)) {
      assertThat(a.budget()).isSameAs(b.budget());
      assertThat(a.budget().capacity()).isEqualTo(5.0);
    }
    try (SpendBudget.Lease only = SpendBudget.acquire("run-b1", 10.0, 1)) {
      assertThat(only.budget().capacity()).isEqualTo(10.0);
    }
  }

  @Test
  void aZeroCapSendsNothing() {
    assertThat(SpendBudget.of(0).tryReserve(1e-9)).isFalse();
  }
}
