package dev.flashline.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a sender asks before each new request when a job runs off-peak: {@link #awaitOpen()}
 * returns at once inside an off-peak window and otherwise blocks until the next one opens.
 * Requests already sent are not affected: they were sent (and are priced) off-peak and finish
 * whenever they finish.
 *
 * <p>The gate closes {@code guard} before a window ends. A request is priced when it is sent, a
 * little after the gate lets it through (it may wait for a connection, and the provider's clock
 * may differ from ours); stopping a little early keeps those requests out of the peak price.
 * Windows shorter than the guard are skipped.
 *
 * <p>Thread-safe; one gate per worker (built in the DoFn's setup from an {@link OffPeakPolicy}).
 */
public final class OffPeakGate {
  /** How long before a window's end no new request is started (see the class comment). */
  public static final Duration DEFAULT_GUARD = Duration.ofMinutes(1);

  private final OffPeakWindows windows;
  private final WaitClock clock;
  private final Duration guard;
  private volatile boolean opened;
  private volatile long waits;

  public OffPeakGate(OffPeakWindows windows, WaitClock clock, Duration guard) {
    this.windows = Objects.requireNonNull(windows, "windows");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (guard == null || guard.isNegative()) {
      throw new IllegalArgumentException("the off-peak guard must be zero or positive, got " + guard);
    }
    this.guard = guard;
  }

  /** Whether the gate is open, and if not, why and until when. */
  public enum Status {
    /** Inside an off-peak window (more than the guard before its end). */
    OPEN,
    /** Not yet opened: waiting for the first off-peak window. */
    WAITING,
    /** Was open; the window ended (or is about to): paused until the next one. */
    PAUSED
  }

  /**
   * @param now when the state was read
   * @param opensAt when sending (re)starts; null when open
   * @param closesAt when sending stops (the window's end less the guard); null when closed, or
   *     when the window never ends
   */
  public record State(Status status, Instant now, Instant opensAt, Instant closesAt) {
    public State {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(now, "now");
      if ((status == Status.OPEN) != (opensAt == null)) {
        throw new IllegalArgumentException("a gate state has a time it opens exactly when it is closed: " + status + " " + opensAt);
      }
    }

    /** For progress lines. */
    public String describe() {
      return switch (status) {
        case OPEN -> closesAt == null ? "sending (no peak hours ahead)" : "sending until the off-peak window ends at " + closesAt;
        case WAITING -> "waiting for the off-peak window at " + opensAt;
        case PAUSED -> "paused at the off-peak window's end, resumes at " + opensAt;
      };
    }
  }

  /** The state now, without waiting. */
  public State state() {
    Instant now = clock.now();
    if (windows.isOffPeak(now)) {
      Optional<Instant> end = windows.currentWindowEnd(now);
      if (end.isEmpty()) {
        return new State(Status.OPEN, now, null, null);
      }
      Instant closes = end.get().minus(guard);
      if (now.isBefore(closes)) {
        return new State(Status.OPEN, now, null, closes);
      }
    }
    return new State(opened ? Status.PAUSED : Status.WAITING, now, nextOpening(now), null);
  }

  /**
   * Returns when a new request may be sent: at once inside an off-peak window, else at the start
   * of the next one.
   *
   * @throws InterruptedException when the waiting thread is interrupted (the job is stopping)
   */
  public void awaitOpen() throws InterruptedException {
    while (true) {
      State state = state();
      if (state.status() == Status.OPEN) {
        opened = true;
        return;
      }
      waits++;
      clock.sleepUntil(state.opensAt());
    }
  }

  /** How many times {@link #awaitOpen()} had to wait (for tests and progress). */
  public long waits() {
    return waits;
  }

  /** The first instant after {@code now} that opens a window longer than the guard. */
  private Instant nextOpening(Instant now) {
    Instant t = now;
    while (true) {
      Instant start = windows.nextOffPeakStart(t);
      Optional<Instant> end = windows.currentWindowEnd(start);
      if (end.isEmpty() || Duration.between(start, end.get()).compareTo(guard) > 0) {
        return start;
      }
      t = end.get();
    }
  }
}
