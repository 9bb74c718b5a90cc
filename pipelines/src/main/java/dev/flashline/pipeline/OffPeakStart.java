package dev.flashline.pipeline;

import dev.flashline.schedule.OffPeakGate;
import dev.flashline.schedule.OffPeakWindows;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schedule.When;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The launcher's side of {@code --when off-peak}: says when the job will start, waits for the
 * first off-peak window before anything is written or sent (so Ctrl-C while waiting leaves
 * nothing behind), and gives the progress line its "paused until ..." note. The workers' gates
 * (in the labelling DoFn) hold the requests themselves; this gate only reads the same windows on
 * the same clock.
 */
final class OffPeakStart {
  /** How often a waiting launcher says it is still waiting, in the job clock's time. */
  static final Duration WAITING_LINE_EVERY = Duration.ofMinutes(1);

  private final When when;
  private final OffPeakGate gate;

  private OffPeakStart(When when, OffPeakGate gate) {
    this.when = when;
    this.gate = gate;
  }

  /** What the pipeline should do: send now, or only off-peak. */
  When when() {
    return when;
  }

  /** The progress line's note while the job is paused; null when it runs without windows. */
  Supplier<String> progressNote() {
    if (gate == null) {
      return null;
    }
    return () -> {
      OffPeakGate.State state = gate.state();
      return state.status() == OffPeakGate.Status.OPEN ? null : state.describe();
    };
  }

  /**
   * Decides how the job runs and, for off-peak, waits until the first window opens.
   *
   * @throws JobSetupException when the schedule has no off-peak time ahead
   * @throws InterruptedException when the wait is interrupted
   */
  static OffPeakStart await(LabelRequest request, PrintWriter log) throws JobSetupException, InterruptedException {
    if (request.when() == When.now) {
      return new OffPeakStart(When.now, null);
    }
    if (!request.job().usesOpenAi()) {
      log.println("flashline: --when off-peak ignored: this job's backend is " + (request.job().usesNative() ? "native" : "local")
          + " only, and self-hosted work has no peak price");
      log.flush();
      return new OffPeakStart(When.now, null);
    }
    WaitClock clock = request.waitClock();
    OffPeakWindows windows = new OffPeakWindows(request.prices());
    Instant now = clock.now();
    if (!windows.tieredFrom(now)) {
      log.println("flashline: --when off-peak: prices " + request.prices().source()
          + " have no peak hours from now on, so every hour costs the same; starting now");
      log.flush();
      return new OffPeakStart(When.now, null);
    }
    OffPeakGate gate = new OffPeakGate(windows, clock, OffPeakGate.DEFAULT_GUARD);
    OffPeakGate.State state;
    try {
      state = gate.state();
    } catch (IllegalStateException e) {
      throw new JobSetupException("--when off-peak: " + e.getMessage());
    }
    if (state.status() == OffPeakGate.Status.OPEN) {
      log.println("flashline: --when off-peak: inside an off-peak window"
          + (state.closesAt() == null ? "" : " until " + state.closesAt()) + "; starting now");
      log.flush();
    } else {
      waitForFirstWindow(gate, clock, state, log);
    }
    gate.awaitOpen(); // open now: marks it opened, so later closed states read "paused"
    return new OffPeakStart(When.off_peak, gate);
  }

  private static void waitForFirstWindow(OffPeakGate gate, WaitClock clock, OffPeakGate.State state, PrintWriter log)
      throws InterruptedException {
    log.println("flashline: --when off-peak: waiting for the off-peak window at " + state.opensAt() + " (in "
        + ProgressReporter.duration(Duration.between(state.now(), state.opensAt()).toSeconds())
        + "); Ctrl-C stops without sending anything");
    log.flush();
    Thread hook = new Thread(() -> {
      log.println("flashline: stopped while waiting for the off-peak window; nothing was sent or written");
      log.flush();
    }, "flashline-offpeak-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      while (state.status() != OffPeakGate.Status.OPEN) {
        Instant step = state.now().plus(WAITING_LINE_EVERY);
        clock.sleepUntil(step.isBefore(state.opensAt()) ? step : state.opensAt());
        state = gate.state();
        if (state.status() != OffPeakGate.Status.OPEN) {
          log.println("flashline: " + state.describe() + " (in "
              + ProgressReporter.duration(Duration.between(state.now(), state.opensAt()).toSeconds()) + ")");
          log.flush();
        }
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting (Ctrl-C): the hook runs and says so.
      }
    }
    log.println("flashline: the off-peak window is open"
        + (state.closesAt() == null ? "" : " until " + state.closesAt()) + "; starting (sending pauses between windows)");
    log.flush();
  }
}
