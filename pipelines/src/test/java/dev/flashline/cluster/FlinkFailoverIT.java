package dev.flashline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.openai.Answerer;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.Exchange;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.kafka.KafkaTestBroker;
import dev.flashline.pipeline.Samples;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka job on a real Flink cluster of separate processes, with checkpointing on, through a
 * TaskManager crash: {@code SIGKILL} one of the two TaskManagers mid-stream, start a replacement,
 * and the job must restore its last checkpoint on the survivor and the replacement, answer every
 * record, pay for none twice, and say so in its progress report.
 *
 * <p>The backend is the openai one against a chat-completions server in this JVM, which counts
 * every request it receives: a record "billed twice" is a document the server saw twice. The
 * records answered after the last checkpoint are the ones a restore reads and labels again; the
 * result store ({@code --result-store}) must answer them from disk. Finally the same input runs
 * through the same job on DirectRunner, and every record must get the row it got on the cluster.
 */
class FlinkFailoverIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-flashline-failover-5d0c1b";
  private static final String JOB_NAME = "sms-failover";
  private static final int PARALLELISM = 4;
  private static final int BATCH = 100;
  private static final int CHECKPOINT_SECONDS = 10;

  @TempDir Path temp;

  @Test
  void aTaskManagerKilledMidStreamIsReplacedAndTheJobResumesFromItsCheckpointPayingForNothingTwice() throws Exception {
    Path jar = FlashlineProcess.jar();
    List<JsonNode> records = distinctTexts(3 * BATCH);
    ClusterSpec spec = ClusterSpec.of(temp.resolve("cluster")).withTaskManagers(2).withSlots(2).withClasspath(List.of(jar));
    Path store = temp.resolve("answers");
    // Per record, the row the cluster paid for; compared with DirectRunner's at the end.
    Map<String, JsonNode> onCluster = new LinkedHashMap<>();

    try (KafkaTestBroker broker = KafkaTestBroker.start();
        ChatCompletionsServer server = ChatCompletionsServer.start(
            ServerConfig.defaults().withApiKey(KEY).withAnswerer(spamWords()).withFixedDelay(Duration.ofMillis(20)));
        LocalFlinkCluster cluster = LocalFlinkCluster.start(spec, Duration.ofMinutes(3))) {
      try {
        broker.createTopic("in", PARALLELISM);
        broker.createTopic("out", PARALLELISM);
        broker.createTopic("out-direct", PARALLELISM);
        broker.createTopic("in.dead-letters", 1);
        Path job = writeJob(server.baseUri());
        FlinkRest rest = cluster.rest();

        try (FlashlineProcess stream = FlashlineProcess.start(temp.resolve("stream.log"),
            "stream", "--job", job.toString(), "--bootstrap", broker.bootstrapServers(), "--input-topic", "in", "--output-topic", "out",
            "--runner", "flink", "--flink-master", cluster.flinkMaster(), "--parallelism", String.valueOf(PARALLELISM),
            "--checkpoint-interval", String.valueOf(CHECKPOINT_SECONDS), "--result-store", store.toString(),
            "--grouping", "off", "--priming", "off", "--progress-interval", "2")) {
          String jobId = awaitRunning(rest, stream, Duration.ofMinutes(4));
          Map<String, List<String>> before = rest.subtaskTaskManagers(jobId);
          assertThat(before.values().stream().flatMap(List::stream).collect(Collectors.toSet()))
              .as("TaskManagers running the stream").containsExactlyInAnyOrder("tm-1", "tm-2");

          // Batch A is answered and covered by a checkpoint.
          List<String> a = produce(broker, records.subList(0, BATCH));
          awaitKeys(broker, a, Duration.ofMinutes(3), stream);
          long aDone = System.currentTimeMillis();
          FlinkRest.Checkpoints covering = awaitCheckpoint(rest, jobId, c -> c.latestCompletedAt() > aDone, Duration.ofSeconds(CHECKPOINT_SECONDS * 4L));

          // Batch B is answered after that checkpoint: a restore reads it again. Kill while nothing is in flight.
          // Each try starts just after a checkpoint completed, so the next is about CHECKPOINT_SECONDS away;
          // should one complete before B is answered anyway, a smaller batch tries again after it.
          List<String> b = new ArrayList<>();
          FlinkRest.Checkpoints atKill = null;
          FlinkRest.Checkpoints last = covering;
          int[] bounds = {BATCH, BATCH + BATCH / 2, BATCH + 3 * BATCH / 4, 2 * BATCH};
          for (int attempt = 0; attempt < 3 && atKill == null; attempt++) {
            if (attempt > 0) {
              long seen = last.latestCompletedId();
              last = awaitCheckpoint(rest, jobId, cp -> cp.latestCompletedId() > seen, Duration.ofMinutes(1));
            }
            b.addAll(produce(broker, records.subList(bounds[attempt], bounds[attempt + 1])));
            awaitKeys(broker, union(a, b), Duration.ofMinutes(2), stream);
            awaitIdle(server);
            // A checkpoint under way when B was written could still complete and cover B: kill only when none is.
            FlinkRest.Checkpoints now = awaitNoCheckpointInProgress(rest, jobId);
            if (now.latestCompletedId() == last.latestCompletedId()) {
              atKill = now;
            } else {
              last = now;
            }
          }
          assertThat(atKill).as("a moment with answers written after the last checkpoint").isNotNull();
          int requestsBeforeKill = server.requests();

          long killedAt = System.currentTimeMillis();
          cluster.killTaskManager("tm-2");
          String replacement = cluster.startTaskManager();
          cluster.awaitRegistered(List.of(replacement), Duration.ofMinutes(2));
          long restoredAt = awaitRestored(rest, jobId, Duration.ofMinutes(4));

          // Batch C arrives once the job runs again.
          List<String> c = produce(broker, records.subList(2 * BATCH, 3 * BATCH));
          long firstNew = awaitFirstKey(broker, c, Duration.ofMinutes(3));
          List<String> all = union(union(a, b), c);
          List<ConsumerRecord<String, byte[]>> out = awaitKeys(broker, all, Duration.ofMinutes(3), stream);
          long allDone = System.currentTimeMillis();
          awaitIdle(server);

          FlinkRest.Checkpoints afterRestore = rest.checkpoints(jobId).orElseThrow();
          List<FlinkRest.Failure> failures = rest.failures(jobId);
          long restarts = rest.restarts(jobId);
          Set<String> runningOn = rest.subtaskTaskManagers(jobId).values().stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
          long detectedAt = failures.isEmpty() ? -1 : failures.get(failures.size() - 1).timestampMillis();
          System.out.printf(Locale.ROOT,
              "FLINK-FAILOVER records=%d restarts=%d restored_from=%d detected_s=%.1f running_again_s=%.1f first_new_result_s=%.1f all_answered_s=%.1f"
                  + " checkpoints_completed=%d checkpoints_failed=%d%n",
              all.size(), restarts, afterRestore.restoredId(), (detectedAt - killedAt) / 1000.0, (restoredAt - killedAt) / 1000.0,
              (firstNew - killedAt) / 1000.0, (allDone - killedAt) / 1000.0, afterRestore.completed(), afterRestore.failed());

          // Every record answered, each by exactly one request: nothing lost, nothing paid twice.
          Map<String, List<JsonNode>> byId = new LinkedHashMap<>();
          for (ConsumerRecord<String, byte[]> record : out) {
            byId.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(JSON.readTree(record.value()));
          }
          assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(all);
          Map<String, Long> asked = server.log().stream()
              .collect(Collectors.groupingBy(FlinkFailoverIT::documentText, Collectors.counting()));
          Map<String, String> textOf = records.stream().collect(Collectors.toMap(r -> r.get("id").asText(), r -> r.get("text").asText()));
          for (String id : all) {
            assertThat(asked.getOrDefault(textOf.get(id), 0L)).as("requests for record " + id).isEqualTo(1);
            List<JsonNode> rows = byId.get(id);
            assertThat(rows).allSatisfy(row -> assertThat(row.get("status").asText()).isEqualTo("ok"));
            List<JsonNode> paid = rows.stream().filter(row -> row.get("cost_usd").asDouble() > 0).toList();
            assertThat(paid).as("rows of " + id + " that carry a cost").hasSize(1);
            assertThat(rows.stream().filter(row -> row.get("cost_usd").asDouble() == 0))
                .as("rows of " + id + " replayed after the restore").allSatisfy(row -> assertThat(row.get("reused_from").asText()).isEqualTo(id));
          }
          for (String id : all) {
            onCluster.put(id, byId.get(id).stream().filter(row -> row.get("cost_usd").asDouble() > 0).findFirst().orElseThrow());
          }
          assertThat(server.requests()).as("requests in all").isEqualTo(all.size());
          assertThat(server.requests() - requestsBeforeKill).as("requests after the kill: batch C only").isEqualTo(c.size());
          // The restore read B again (answers written after the checkpoint): the result store answered those.
          long replayed = b.stream().filter(id -> byId.get(id).size() > 1).count();
          assertThat(replayed).as("records of B written again after the restore").isPositive();

          // Flink restarted the job once, from the checkpoint taken before B, on the survivor and the replacement.
          assertThat(restarts).isGreaterThanOrEqualTo(1);
          assertThat(afterRestore.restoredId()).isEqualTo(atKill.latestCompletedId());
          assertThat(failures).anySatisfy(f -> assertThat(f.message() + " " + f.taskManager()).contains("tm-2"));
          assertThat(runningOn).containsExactlyInAnyOrder("tm-1", replacement);

          // ...and the stream's own report says so.
          awaitOutput(stream, "restored from checkpoint " + atKill.latestCompletedId(), Duration.ofSeconds(30));
          assertThat(stream.output()).contains("submitted to the Flink cluster at " + cluster.flinkMaster() + " as job " + jobId);
          assertThat(lastProgressLine(stream)).contains("restarts " + restarts, "on tm-1, " + replacement);
          assertThat(stream.output()).containsPattern("progress: [^\\n]*last failure [^\\n]*tm-2");

          // Ctrl-C (SIGTERM): the stream cancels its job; the JVM then exits with the signal's status.
          stream.interrupt();
          assertThat(stream.waitFor(Duration.ofMinutes(1))).as(stream.output()).isIn(0, 143);
          assertThat(stream.output()).contains("stopping: flink job " + jobId);
        }

        // The same input through the same job on DirectRunner (its own consumer group, so from the start;
        // no result store, so every record is asked again): the same row for every record.
        try (FlashlineProcess direct = FlashlineProcess.start(temp.resolve("stream-direct.log"),
            "stream", "--job", job.toString(), "--bootstrap", broker.bootstrapServers(), "--input-topic", "in",
            "--output-topic", "out-direct", "--group-id", "flashline-direct-compare", "--runner", "direct",
            "--parallelism", "2", "--grouping", "off", "--priming", "off", "--no-progress")) {
          Map<String, JsonNode> onDirect = new LinkedHashMap<>();
          for (ConsumerRecord<String, byte[]> record : awaitKeys(broker, "out-direct", onCluster.keySet(), Duration.ofMinutes(3), direct)) {
            onDirect.put(record.key(), JSON.readTree(record.value()));
          }
          for (Map.Entry<String, JsonNode> row : onCluster.entrySet()) {
            JsonNode x = onDirect.get(row.getKey());
            JsonNode y = row.getValue();
            for (String field : List.of("status", "label", "confidence", "input_tokens", "output_tokens", "model")) {
              assertThat(y.path(field)).as(row.getKey() + " " + field + " on the cluster vs DirectRunner").isEqualTo(x.path(field));
            }
          }
          direct.interrupt();
          direct.waitFor(Duration.ofMinutes(1));
        }
      } finally {
        FlashlineProcess.keepLogs("FlinkFailoverIT", spec.dir(), temp.resolve("stream.log"));
      }
    }
  }

  // ---- the workload ----

  /** The first {@code count} sample records with texts seen nowhere before them, so each text is asked once. */
  private static List<JsonNode> distinctTexts(int count) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line : Files.readAllLines(Samples.JSONL)) {
      JsonNode row = JSON.readTree(line);
      if (seen.add(row.get("text").asText())) {
        out.add(row);
        if (out.size() == count) {
          return out;
        }
      }
    }
    throw new AssertionError("the sample has fewer than " + count + " distinct texts");
  }

  private static Answerer spamWords() {
    Map<String, String> words = new LinkedHashMap<>();
    for (String word : List.of("free", "prize", "claim", "winner", "urgent", "txt", "call 0", "cash")) {
      words.put(word, "spam");
    }
    return Answerer.classifyByKeyword(words, "ham", 0.9);
  }

  private Path writeJob(URI endpoint) throws IOException {
    Path keyFile = Files.writeString(temp.resolve("api.key"), KEY + "\n");
    return Files.writeString(temp.resolve("job.yaml"), Samples.spamHamOpenAiJob(JOB_NAME, endpoint.toString(), keyFile) + "gold_field: label\n");
  }

  /** The document a request asked about: the user message without the prompt's fence. */
  private static String documentText(Exchange exchange) {
    String document = exchange.document() == null ? "" : exchange.document();
    return document.replaceFirst("^<document>\n", "").replaceFirst("\n</document>$", "");
  }

  private static List<String> produce(KafkaTestBroker broker, List<JsonNode> rows) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode row : rows) {
      String id = row.get("id").asText();
      broker.produce("in", id, JSON.writeValueAsBytes(row));
      ids.add(id);
    }
    return ids;
  }

  private static List<String> union(Collection<String> x, Collection<String> y) {
    List<String> all = new ArrayList<>(x);
    all.addAll(y);
    return all;
  }

  // ---- waiting ----

  /** The job's id once the JobManager lists it as running with every subtask deployed and running. */
  private static String awaitRunning(FlinkRest rest, FlashlineProcess stream, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(stream.isAlive()).as("the stream command exited: " + stream.output()).isTrue();
      for (JsonNode job : rest.jobs().values()) {
        if (job.path("name").asText().equals(JOB_NAME) && allRunning(rest, job.path("jid").asText())) {
          return job.path("jid").asText();
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the stream job did not run within " + timeout + ": " + stream.output());
  }

  private static boolean allRunning(FlinkRest rest, String jobId) throws IOException {
    JsonNode job = rest.job(jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!"RUNNING".equals(vertex.path("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /** The job's checkpoints once none is in progress (one is triggered every CHECKPOINT_SECONDS and takes 10-16 s). */
  private static FlinkRest.Checkpoints awaitNoCheckpointInProgress(FlinkRest rest, String jobId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    FlinkRest.Checkpoints now = rest.checkpoints(jobId).orElseThrow();
    while (now.inProgress() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      now = rest.checkpoints(jobId).orElseThrow();
    }
    return now;
  }

  /** When the job has restored a checkpoint and runs again in full; epoch millis. */
  private static long awaitRestored(FlinkRest rest, String jobId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      FlinkRest.Checkpoints checkpoints = rest.checkpoints(jobId).orElseThrow();
      if (checkpoints.restores() >= 1 && allRunning(rest, jobId)) {
        return System.currentTimeMillis();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the job did not run again from a checkpoint within " + timeout + ": " + rest.job(jobId));
  }

  private static FlinkRest.Checkpoints awaitCheckpoint(
      FlinkRest rest, String jobId, java.util.function.Predicate<FlinkRest.Checkpoints> done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    FlinkRest.Checkpoints last = null;
    while (System.nanoTime() < deadline) {
      last = rest.checkpoints(jobId).orElseThrow();
      if (last.latestCompletedId() >= 0 && done.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no such checkpoint within " + timeout + "; last: " + last);
  }

  /** Every record of the output topic once each of {@code ids} has a result there. */
  private static List<ConsumerRecord<String, byte[]>> awaitKeys(
      KafkaTestBroker broker, Collection<String> ids, Duration timeout, FlashlineProcess stream) throws Exception {
    return awaitKeys(broker, "out", ids, timeout, stream);
  }

  private static List<ConsumerRecord<String, byte[]>> awaitKeys(
      KafkaTestBroker broker, String topic, Collection<String> ids, Duration timeout, FlashlineProcess stream) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> keys = Set.of();
    while (System.nanoTime() < deadline) {
      List<ConsumerRecord<String, byte[]>> records = broker.readAll(topic, Duration.ofSeconds(5));
      keys = records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
      if (keys.containsAll(ids)) {
        return records;
      }
      Thread.sleep(250);
    }
    Set<String> missing = new TreeSet<>(ids);
    missing.removeAll(keys);
    throw new AssertionError(missing.size() + " records without a result after " + timeout + " (e.g. "
        + missing.stream().limit(5).toList() + "); the stream said:\n" + stream.output());
  }

  /** When the first of {@code ids} had its result; epoch millis. */
  private static long awaitFirstKey(KafkaTestBroker broker, Collection<String> ids, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (broker.readAll("out", Duration.ofSeconds(5)).stream().anyMatch(r -> ids.contains(r.key()))) {
        return System.currentTimeMillis();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no result of the new records within " + timeout);
  }

  /** Until the chat server has answered everything it received. */
  private static void awaitIdle(ChatCompletionsServer server) throws InterruptedException {
    server.log();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (server.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      server.log();
    }
    assertThat(server.inFlight()).as("requests in flight").isZero();
  }

  private static void awaitOutput(FlashlineProcess stream, String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!stream.output().contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    assertThat(stream.output()).contains(text);
  }

  private static String lastProgressLine(FlashlineProcess stream) {
    List<String> lines = stream.output().lines().filter(l -> l.startsWith("progress: ")).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
