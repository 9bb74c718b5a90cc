package dev.flashline.schedule;

import dev.flashline.cost.PriceSchedule;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What a Beam DoFn holds to build its {@link OffPeakGate} in its setup: the gate itself is not
 * serializable (it keeps per-worker state), its recipe is.
 *
 * @param prices whose peak hours define the windows
 * @param clock the same clock that prices the requests
 * @param guard see {@link OffPeakGate}
 */
public record OffPeakPolicy(PriceSchedule prices, WaitClock clock, Duration guard) implements Serializable {
  public OffPeakPolicy {
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(clock, "clock");
    guard = guard == null ? OffPeakGate.DEFAULT_GUARD : guard;
    if (guard.isNegative()) {
      throw new IllegalArgumentException("the off-peak guard must be zero or positive, got " + guard);
    }
  }

  public OffPeakGate gate() {
    return new OffPeakGate(new OffPeakWindows(prices), clock, guard);
  }
}
