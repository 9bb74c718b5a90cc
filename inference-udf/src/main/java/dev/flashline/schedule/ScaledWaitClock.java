package dev.flashline.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * Virtual time that starts at {@code start} when the system clock reads {@code realStartMillis}
 * and runs {@code speed} times faster. Deterministic from its fields, so every serialized copy in
 * one JVM agrees on the time.
 */
record ScaledWaitClock(Instant start, long realStartMillis, double speed) implements WaitClock {
  ScaledWaitClock {
    Objects.requireNonNull(start, "start");
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new IllegalArgumentException("a scaled clock's speed must be positive and finite, got " + speed);
    }
  }

  @Override
  public Instant now() {
    long elapsed = System.currentTimeMillis() - realStartMillis;
    return start.plusMillis((long) (elapsed * speed));
  }

  @Override
  public void sleepUntil(Instant until) throws InterruptedException {
    for (Instant now = now(); now.isBefore(until); now = now()) {
      long virtualMillis = until.toEpochMilli() - now.toEpochMilli();
      Thread.sleep(Math.max(1, (long) Math.ceil(virtualMillis / speed)));
    }
  }
}
