package dev.flashline.pipeline;

import dev.flashline.cost.PriceSchedule;
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
    Clock clock) {
  public LabelRequest {
    Objects.requireNonNull(job, "job");
    prices = prices == null ? PriceSchedule.defaults() : prices;
    clock = clock == null ? Clock.systemUTC() : clock;
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
    this(job, input, output, runner, parallelism, flinkMaster, progress, null, null);
  }

  public LabelRequest withPrices(PriceSchedule value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, value, clock);
  }

  public LabelRequest withClock(Clock value) {
    return new LabelRequest(job, input, output, runner, parallelism, flinkMaster, progress, prices, value);
  }
}
