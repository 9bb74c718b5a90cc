package dev.flashline.pipeline;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schedule.When;
import dev.flashline.task.JobSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * One run of the file job: which job, on what input, into which directory, on which runner.
 *
 * @param parallelism workers (threads on one machine); at least 1
 * @param flinkMaster where the Flink runner submits: {@value RunnerChoice#FLINK_LOCAL} for the
 *     embedded cluster
 * @param prices what model requests cost (default: the shipped DeepSeek V4 schedule)
 * @param clock stamps each request for pricing (default: the system clock; tests fix it)
 * @param when send at once, or only in the price schedule's off-peak windows (default: now)
 * @param waitClock what off-peak scheduling waits on: the same time as {@code clock} (default:
 *     {@code clock} itself; tests give a fast clock with {@link #withWaitClock})
 */
public record LabelRequest(
    JobSpec job,
    Path input,
    Path output,
    RunnerChoice runner,
    int parallelism,
    String flinkMaster,
    boolean progress,
    PriceSchedule prices,
    Clock clock,
    When when,
    WaitClock waitClock) {
  public LabelRequest {
    Objects.requireNonNull(job, "job");
    prices = prices == null ? PriceSchedule.defaults() : prices;
    clock = clock == null ? Clock.systemUTC() : clock;
    when = when == null ? When.now : when;
    waitClock = waitClock == null ? WaitClock.of(clock) : waitClock;
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(runner, "runner");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    flinkMaster = flinkMaster == null || flinkMaster.isBlank() ? RunnerChoice.FLINK_LOCAL : flinkMaster;
  }

  public LabelRequest(
      JobSpec job, Path input, Path output, RunnerChoice runner, int parallelism, String flinkMaster, boolean progress) {
    this(job, input, output, runner, parallelism, flinkMaster, progress, null, null, null, null);
  }

  public LabelRequest withPrices(PriceSchedule value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, value, clock, when, waitClock);
  }

  /** Prices (and waits) by {@code value}. */
  public LabelRequest withClock(Clock value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, prices, value, when, null);
  }

  /** Prices and waits by one clock; tests give a fast one to cross price windows in seconds. */
  public LabelRequest withWaitClock(WaitClock value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, prices, value.asClock(), when, value);
  }

  public LabelRequest withWhen(When value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, prices, clock, value, waitClock);
  }
}
