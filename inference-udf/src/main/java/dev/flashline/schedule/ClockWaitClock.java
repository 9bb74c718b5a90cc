package dev.flashline.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A {@link WaitClock} over a {@link Clock}: sleeps real time for the difference. */
record ClockWaitClock(Clock clock) implements WaitClock {
  static final ClockWaitClock SYSTEM = new ClockWaitClock(Clock.systemUTC());

  ClockWaitClock {
    Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public void sleepUntil(Instant until) throws InterruptedException {
    long millis = Duration.between(now(), until).toMillis();
    // Sleeps once rather than looping: a clock that does not move (a fixed clock) would
    // otherwise never return. The gate re-checks the time after every sleep anyway.
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  @Override
  public Clock asClock() {
    return clock;
  }
}
