package dev.flashline.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of a Flink JobManager's REST API that Flashline uses: which TaskManagers are
 * registered, which jobs run, where their subtasks ran, their failures, restarts and checkpoints.
 * Read-only; jobs are submitted by Beam's Flink runner.
 */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final HttpClient http;

  private FlinkRest(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** @param master {@code host:port} of the REST endpoint, as given to {@code --flink-master} */
  public static FlinkRest of(String master) {
    String address = master.replaceFirst("^https?://", "");
    return new FlinkRest(URI.create("http://" + address + "/"));
  }

  public URI base() {
    return base;
  }

  /** GET {@code path} (relative, e.g. {@code jobs/overview}); the parsed body. */
  public JsonNode get(String path) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking Flink for " + path, e);
    }
    if (response.statusCode() == 404) {
      throw new NotFound("Flink REST " + path + ": HTTP 404: " + firstError(response.body()));
    }
    if (response.statusCode() != 200) {
      throw new IOException("Flink REST " + path + ": HTTP " + response.statusCode() + ": " + firstError(response.body()));
    }
    return JSON.readTree(response.body());
  }

  /** Flink answers errors as {@code {"errors": ["message\n\tat ..."]}}: the first line of the first. */
  private static String firstError(String body) {
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      if (errors.isArray() && !errors.isEmpty()) {
        return errors.get(0).asText().lines().findFirst().orElse("");
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON: quoted as it is, below.
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  /** What Flink answers for a job, vertex or statistic it does not have. */
  public static final class NotFound extends IOException {
    NotFound(String message) {
      super(message);
    }
  }

  /** Whether the JobManager answers at all. */
  public boolean reachable() {
    try {
      get("overview");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The resource ids of the registered TaskManagers ({@code tm-1}, ...). */
  public List<String> taskManagers() throws IOException {
    List<String> ids = new ArrayList<>();
    get("taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  /** Every job the JobManager knows (running and recently finished): id -> overview entry. */
  public Map<String, JsonNode> jobs() throws IOException {
    Map<String, JsonNode> jobs = new LinkedHashMap<>();
    get("jobs/overview").path("jobs").forEach(job -> jobs.put(job.path("jid").asText(), job));
    return jobs;
  }

  /** The newest job of that name started at or after {@code sinceMillis}, if any. */
  public Optional<String> newestJob(String name, long sinceMillis) throws IOException {
    String best = null;
    long bestStart = Long.MIN_VALUE;
    for (JsonNode job : jobs().values()) {
      long start = job.path("start-time").asLong();
      if (job.path("name").asText().equals(name) && start >= sinceMillis && start > bestStart) {
        best = job.path("jid").asText();
        bestStart = start;
      }
    }
    return Optional.ofNullable(best);
  }

  public JsonNode job(String jobId) throws IOException {
    return get("jobs/" + jobId);
  }

  /**
   * Per vertex (a chain of steps, named after them), the TaskManager each of its subtasks runs or
   * ran on, in subtask order (their latest attempt; empty while not yet deployed).
   */
  public Map<String, List<String>> subtaskTaskManagers(String jobId) throws IOException {
    Map<String, List<String>> where = new LinkedHashMap<>();
    for (JsonNode vertex : job(jobId).path("vertices")) {
      List<String> tms = new ArrayList<>();
      for (JsonNode subtask : get("jobs/" + jobId + "/vertices/" + vertex.path("id").asText()).path("subtasks")) {
        String tm = subtask.path("taskmanager-id").asText("");
        if (!tm.isEmpty() && !"(unassigned)".equals(tm)) {
          tms.add(tm);
        }
      }
      where.put(vertex.path("name").asText(), tms);
    }
    return where;
  }

  /** The job's restarts since it was submitted (Flink's {@code numRestarts} metric); 0 when not reported. */
  public long restarts(String jobId) throws IOException {
    for (JsonNode metric : get("jobs/" + jobId + "/metrics?get=numRestarts")) {
      if ("numRestarts".equals(metric.path("id").asText())) {
        return metric.path("value").asLong();
      }
    }
    return 0;
  }

  /** The job's failures, newest first: Flink's exception history. */
  public List<Failure> failures(String jobId) throws IOException {
    List<Failure> failures = new ArrayList<>();
    for (JsonNode entry : get("jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
      String stack = entry.path("stacktrace").asText("");
      String firstLine = stack.isBlank() ? entry.path("exceptionName").asText() : stack.lines().findFirst().orElse("").strip();
      failures.add(new Failure(
          entry.path("timestamp").asLong(),
          entry.path("exceptionName").asText(),
          firstLine,
          entry.path("taskName").isNull() ? null : entry.path("taskName").asText(null),
          entry.path("taskManagerId").isNull() ? null : entry.path("taskManagerId").asText(null)));
    }
    return failures;
  }

  /** The job's checkpoint counts and the last restore; empty for a job without checkpointing (a batch job). */
  public Optional<Checkpoints> checkpoints(String jobId) throws IOException {
    JsonNode body;
    try {
      body = get("jobs/" + jobId + "/checkpoints");
    } catch (NotFound e) {
      return Optional.empty();
    }
    JsonNode counts = body.path("counts");
    JsonNode completed = body.path("latest").path("completed");
    JsonNode restored = body.path("latest").path("restored");
    return Optional.of(new Checkpoints(
        counts.path("completed").asLong(),
        counts.path("failed").asLong(),
        counts.path("restored").asLong(),
        completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong(-1),
        completed.isMissingNode() || completed.isNull() ? 0 : completed.path("latest_ack_timestamp").asLong(),
        restored.isMissingNode() || restored.isNull() ? -1 : restored.path("id").asLong(-1),
        restored.isMissingNode() || restored.isNull() ? 0 : restored.path("restore_timestamp").asLong(),
        counts.path("in_progress").asLong()));
  }

  /**
   * One failure of a job.
   *
   * @param exception the exception's class
   * @param message the first line of its stack trace: the class and message
   * @param taskName the task that failed, when one did (null for a global failure)
   * @param taskManager the TaskManager it ran on, when known
   */
  public record Failure(long timestampMillis, String exception, String message, String taskName, String taskManager) {}

  /**
   * @param latestCompletedId -1 before the first
   * @param latestCompletedAt when the latest completed checkpoint was acknowledged (epoch millis)
   * @param restoredId the checkpoint the job last restored from; -1 when it never restored
   */
  /** @param inProgress checkpoints triggered and not yet completed or failed */
  public record Checkpoints(
      long completed, long failed, long restores, long latestCompletedId, long latestCompletedAt, long restoredId, long restoredAt,
      long inProgress) {}
}
