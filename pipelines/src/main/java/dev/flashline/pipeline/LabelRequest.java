package dev.flashline.pipeline;

import dev.flashline.task.JobSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One run of the file job: which job, on what input, into which directory, on which runner.
 *
 * @param parallelism workers (threads on one machine); at least 1
 * @param flinkMaster where the Flink runner submits: {@value RunnerChoice#FLINK_LOCAL} for the
 *     embedded cluster
 */
public record LabelRequest(
    JobSpec job, Path input, Path output, RunnerChoice runner, int parallelism, String flinkMaster, boolean progress) {
  public LabelRequest {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(runner, "runner");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    flinkMaster = flinkMaster == null || flinkMaster.isBlank() ? RunnerChoice.FLINK_LOCAL : flinkMaster;
  }
}
