package dev.flashline.schedule;

import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;

/**
 * The time a sender waits on: what time it is, and a way to sleep until a given time. Off-peak
 * scheduling waits for hours, so tests need a clock that runs fast; and requests are priced by
 * the instant they are sent, so the gate that holds them and the pricing must read one clock
 * ({@link #asClock()} gives the pricing side the same time).
 *
 * <p>Serializable: Beam copies the DoFns that hold it to every worker.
 */
public interface WaitClock extends Serializable {
  Instant now();

  /** Returns once {@link #now()} is at or after {@code until}; at once when it already is. */
  void sleepUntil(Instant until) throws InterruptedException;

  /** This clock as a {@link Clock} (UTC), for what prices requests. */
  default Clock asClock() {
    return new WaitClockView(this);
  }

  /** The system's clock. */
  static WaitClock system() {
    return ClockWaitClock.SYSTEM;
  }

  /**
   * A wait clock that reads {@code clock} and sleeps real time for the difference. With a fixed
   * clock it never advances, so a gate on it that is closed stays closed: use it only for
   * decisions, or with a clock that moves.
   */
  static WaitClock of(Clock clock) {
    return new ClockWaitClock(clock);
  }

  /**
   * A clock that starts at {@code start} now and runs {@code speed} times faster than real time,
   * for tests that cross price windows in seconds. Copies of it (serialized to Beam workers in
   * the same JVM) read the same time, since it is anchored to the system clock.
   */
  static WaitClock scaled(Instant start, double speed) {
    return new ScaledWaitClock(start, System.currentTimeMillis(), speed);
  }
}
