package dev.flashline.cluster;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;

/**
 * A job Flashline submitted to a Flink cluster (not the embedded one), watched through the
 * JobManager's REST API: its state, where it runs, its restarts and why, and its checkpoints.
 * On a cluster the workers' counters live in other JVMs; this is what the launcher can see.
 */
public final class RemoteFlinkJob {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  private static final int MAX_MESSAGE = 140;

  private final FlinkRest rest;
  private final String jobId;

  private RemoteFlinkJob(FlinkRest rest, String jobId) {
    this.rest = rest;
    this.jobId = jobId;
  }

  /**
   * The job behind a Beam result on a Flink cluster: the id Beam's detached result holds, or else
   * the newest job of that name submitted since {@code submittedAtMillis}.
   */
  public static Optional<RemoteFlinkJob> find(PipelineResult result, String flinkMaster, String jobName, long submittedAtMillis) {
    FlinkRest rest = FlinkRest.of(flinkMaster);
    Optional<String> id = jobIdOf(result);
    if (id.isEmpty()) {
      try {
        id = rest.newestJob(jobName, submittedAtMillis - 5_000);
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return id.map(jobId -> new RemoteFlinkJob(rest, jobId));
  }

  /**
   * A progress line for a job being submitted by name right now: "submitting …" until the
   * JobManager lists it, then its {@link Status#describe()}.
   */
  public static java.util.function.Supplier<String> statusLine(String flinkMaster, String jobName, long submittedAtMillis) {
    FlinkRest rest = FlinkRest.of(flinkMaster);
    return new java.util.function.Supplier<>() {
      private RemoteFlinkJob job;

      @Override
      public String get() {
        try {
          if (job == null) {
            job = rest.newestJob(jobName, submittedAtMillis - 5_000).map(id -> new RemoteFlinkJob(rest, id)).orElse(null);
          }
          return job == null ? "submitting to the Flink cluster at " + flinkMaster : job.status().describe();
        } catch (IOException e) {
          return "the Flink cluster at " + flinkMaster + " does not answer (" + e.getMessage() + ")";
        }
      }
    };
  }

  public String jobId() {
    return jobId;
  }

  /** What the JobManager says about the job now. */
  public Status status() throws IOException {
    String state = rest.job(jobId).path("state").asText();
    Set<String> taskManagers = new TreeSet<>();
    rest.subtaskTaskManagers(jobId).values().forEach(taskManagers::addAll);
    List<FlinkRest.Failure> failures = rest.failures(jobId);
    return new Status(
        jobId, state, taskManagers, rest.restarts(jobId), failures.isEmpty() ? null : failures.get(0), rest.checkpoints(jobId).orElse(null));
  }

  /**
   * @param taskManagers where its subtasks run (or last ran)
   * @param restarts how often Flink restarted it after a failure
   * @param lastFailure the newest failure, null when none
   * @param checkpoints null for a job without checkpointing
   */
  public record Status(
      String jobId, String state, Set<String> taskManagers, long restarts, FlinkRest.Failure lastFailure, FlinkRest.Checkpoints checkpoints) {
    /** One line for the progress output: {@code flink job 1f2e… RUNNING on tm-1, tm-3 · restarts 1 (…) · checkpoints 12 …}. */
    public String describe() {
      StringBuilder line = new StringBuilder("flink job ").append(jobId).append(' ').append(state);
      if (!taskManagers.isEmpty()) {
        line.append(" on ").append(String.join(", ", taskManagers));
      }
      line.append(" · restarts ").append(restarts);
      if (lastFailure != null) {
        line.append(" (last failure ").append(TIME.format(Instant.ofEpochMilli(lastFailure.timestampMillis()))).append(": ")
            .append(shorten(lastFailure.message()));
        if (lastFailure.taskManager() != null) {
          line.append(" on ").append(lastFailure.taskManager());
        }
        line.append(')');
      }
      if (checkpoints != null) {
        line.append(" · checkpoints ").append(checkpoints.completed()).append(" completed");
        if (checkpoints.restoredId() >= 0) {
          line.append(", restored from checkpoint ").append(checkpoints.restoredId());
        }
      }
      return line.toString();
    }
  }

  /** Flink's messages name the exception's package and run long: the class's simple name and the start of the message. */
  static String shorten(String message) {
    String text = message == null ? "" : message.replaceFirst("^([a-z][\\w$]*\\.)+(?=[A-Z])", "");
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 1) + "…";
  }

  /** Beam's detached Flink result keeps the job's client in a private field; its id is the job's. */
  static Optional<String> jobIdOf(PipelineResult result) {
    if (result == null || !result.getClass().getName().equals("org.apache.beam.runners.flink.FlinkDetachedRunnerResult")) {
      return Optional.empty();
    }
    try {
      Field field = result.getClass().getDeclaredField("jobClient");
      field.setAccessible(true);
      Object client = field.get(result);
      return client instanceof org.apache.flink.core.execution.JobClient jobClient
          ? Optional.of(jobClient.getJobID().toHexString())
          : Optional.empty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
