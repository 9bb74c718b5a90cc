package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashline.kafka.KafkaTestBroker;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.pipeline.Samples;
import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.JobSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming job against a real Kafka broker: results, dead letters, restarts, formats, archives. */
class StreamJobIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static KafkaTestBroker broker;
  private static List<JsonNode> sms;

  @TempDir Path temp;

  @BeforeAll
  static void startBroker() throws IOException {
    broker = KafkaTestBroker.start();
    sms = new ArrayList<>();
    for (String line : Files.readAllLines(Samples.JSONL).subList(0, 1200)) {
      sms.add(JSON.readTree(line));
    }
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
    assertThat(KafkaClients.open()).isZero();
  }

  private static JobSpec job() {
    return Samples.job();
  }

  private StreamRequest request(String name, RunnerChoice runner) {
    broker.createTopic(name + ".in", 3);
    broker.createTopic(name + ".out", 3);
    broker.createTopic(name + ".in.dead-letters", 1);
    return StreamRequest.of(job(), broker.bootstrapServers(), name + ".in", name + ".out")
        .withGroupId("flashline-" + name)
        .withRunner(runner, 2, null)
        .withCheckpointInterval(Duration.ofSeconds(2));
  }

  /** Produces sample messages from..to (exclusive), keyed by id, spread over the partitions. */
  private static List<String> produce(String topic, int from, int to) throws IOException {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) {
      JsonNode row = sms.get(i);
      String id = row.get("id").asText();
      broker.produce(topic, id, JSON.writeValueAsBytes(row));
      ids.add(id);
    }
    return ids;
  }

  private static List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<String, byte[]>> records = List.of();
    while (System.nanoTime() < deadline) {
      records = broker.readAll(topic, Duration.ofSeconds(5));
      if (done.test(records)) {
        return records;
      }
      Thread.sleep(500);
    }
    return records;
  }

  private static Set<String> keys(List<ConsumerRecord<String, byte[]>> records) {
    Set<String> keys = new HashSet<>();
    records.forEach(r -> keys.add(r.key()));
    return keys;
  }

  private static long committed(String group, String topic) {
    return broker.committedOffsets(group, topic).values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void everyMessageGetsOneResultWithItsCostAndPoisonBecomesDeadLetters() throws Exception {
    StreamRequest request = request("steady", RunnerChoice.DIRECT).withMaxMessageBytes(64 * 1024);
    List<String> ids = produce(request.inputTopic(), 0, 150);
    broker.produce(request.inputTopic(), "bad-json", "{not json".getBytes(StandardCharsets.UTF_8));
    broker.produce(request.inputTopic(), "no-text", "{\"id\": \"no-text\", \"label\": \"ham\"}".getBytes(StandardCharsets.UTF_8));
    broker.produce(request.inputTopic(), "array", "[1, 2]".getBytes(StandardCharsets.UTF_8));
    broker.produce(request.inputTopic(), "binary", new byte[] {(byte) 0xC3, (byte) 0x28, 0x01});
    broker.produce(request.inputTopic(), "huge", ("{\"id\": \"huge\", \"text\": \"" + "a".repeat(100 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8));

    List<ConsumerRecord<String, byte[]>> results;
    List<ConsumerRecord<String, byte[]>> letters;
    try (StreamJob.Running running = StreamJob.start(request)) {
      results = awaitRecords(request.outputTopic(), r -> r.size() >= 150, Duration.ofMinutes(3));
      letters = awaitRecords(request.deadLetterTopic(), r -> r.size() >= 5, Duration.ofMinutes(1));
      // Every message finished: the committed offsets reach the end of the input.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (committed(request.kafka().groupId(), request.inputTopic()) < 155 && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      assertThat(running.pending()).isZero();
    }

    assertThat(results).hasSize(150);
    assertThat(keys(results)).containsExactlyInAnyOrderElementsOf(ids);
    for (ConsumerRecord<String, byte[]> record : results) {
      JsonNode row = JSON.readTree(record.value());
      assertThat(row.get("id").asText()).isEqualTo(record.key());
      assertThat(row.get("status").asText()).isEqualTo("ok");
      assertThat(row.get("label").asText()).isIn("spam", "ham");
      assertThat(row.get("backend").asText()).isEqualTo("local");
      assertThat(row.get("cost_usd").asDouble()).isPositive();
      assertThat(row.get("compute_seconds").asDouble()).isPositive();
      assertThat(row.get("price_schedule").asText()).startsWith("cpu-hour@");
      assertThat(row.get("charges")).hasSize(1);
    }
    Map<String, String> reasons = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : letters) {
      JsonNode letter = JSON.readTree(record.value());
      reasons.put(record.key(), letter.get("reason").asText());
      assertThat(letter.get("source").asText()).isEqualTo(request.inputTopic());
      assertThat(letter.get("location").asText()).startsWith("partition ");
    }
    assertThat(reasons).hasSize(5);
    assertThat(reasons.get("bad-json")).contains("not valid JSON");
    assertThat(reasons.get("no-text")).contains("field 'text' is missing");
    assertThat(reasons.get("array")).contains("must be a JSON object");
    assertThat(reasons.get("binary")).contains("not UTF-8");
    assertThat(reasons.get("huge")).contains("over the limit");
    assertThat(committed(request.kafka().groupId(), request.inputTopic())).isEqualTo(155);
  }

  @Test
  void aStreamStoppedMidwayResumesWithoutLosingARecord() throws Exception {
    StreamRequest request = request("restart", RunnerChoice.DIRECT);
    // Enough that the first run is stopped midway even with the model already loaded by an earlier
    // test (it stays loaded for a while after its last use): it reads for seconds after the 60th result.
    int firstBatch = 1000;
    int total = 1100;
    List<String> ids = new ArrayList<>(produce(request.inputTopic(), 0, firstBatch));
    try (StreamJob.Running first = StreamJob.start(request)) {
      awaitRecords(request.outputTopic(), r -> r.size() >= 60, Duration.ofMinutes(2));
    }
    long committedAfterStop = committed(request.kafka().groupId(), request.inputTopic());
    assertThat(committedAfterStop).isLessThan(firstBatch);
    int writtenByFirst = broker.readAll(request.outputTopic(), Duration.ofSeconds(10)).size();
    assertThat(writtenByFirst).isGreaterThanOrEqualTo((int) committedAfterStop);
    ids.addAll(produce(request.inputTopic(), firstBatch, total));

    List<ConsumerRecord<String, byte[]>> results;
    try (StreamJob.Running second = StreamJob.start(request)) {
      results = awaitRecords(request.outputTopic(), r -> keys(r).containsAll(ids), Duration.ofMinutes(3));
    }
    assertThat(keys(results)).containsAll(ids);
    // At-least-once: whatever the first run had written but not committed is written again, under the same key.
    assertThat(results.size()).isGreaterThanOrEqualTo(ids.size());
    // ...and only that: the second run resumed at the committed offsets, not at the beginning.
    assertThat(results.size()).isLessThanOrEqualTo(writtenByFirst + (int) (total - committedAfterStop));
    assertThat(committed(request.kafka().groupId(), request.inputTopic())).isEqualTo(total);
  }

  @Test
  void flinkWithCheckpointingGivesOneResultPerMessage() throws Exception {
    StreamRequest request = request("flink", RunnerChoice.FLINK);
    List<String> ids = produce(request.inputTopic(), 0, 120);
    List<ConsumerRecord<String, byte[]>> results;
    try (StreamJob.Running running = StreamJob.start(request)) {
      results = awaitRecords(request.outputTopic(), r -> r.size() >= 120, Duration.ofMinutes(3));
      Thread.sleep(3000);
      results = broker.readAll(request.outputTopic(), Duration.ofSeconds(5));
    }
    assertThat(results).hasSize(120);
    assertThat(keys(results)).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void avroInAvroOutAndAWrongSchemaIsADeadLetter() throws Exception {
    StreamRequest request = request("avro", RunnerChoice.DIRECT).withFormat(MessageFormat.avro);
    for (int i = 0; i < 20; i++) {
      JsonNode row = sms.get(i);
      Document document = Document.newBuilder().setId(row.get("id").asText()).setText(row.get("text").asText()).build();
      ByteBuffer buffer = document.toByteBuffer();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      broker.produce(request.inputTopic(), document.getId(), bytes);
    }
    ByteBuffer wrong = DeadLetter.newBuilder().setJob("x").setSource("y").setReason("z").build().toByteBuffer();
    byte[] wrongBytes = new byte[wrong.remaining()];
    wrong.get(wrongBytes);
    broker.produce(request.inputTopic(), "wrong-schema", wrongBytes);

    List<ConsumerRecord<String, byte[]>> results;
    List<ConsumerRecord<String, byte[]>> letters;
    try (StreamJob.Running running = StreamJob.start(request)) {
      results = awaitRecords(request.outputTopic(), r -> r.size() >= 20, Duration.ofMinutes(2));
      letters = awaitRecords(request.deadLetterTopic(), r -> !r.isEmpty(), Duration.ofMinutes(1));
    }
    assertThat(results).hasSize(20);
    for (ConsumerRecord<String, byte[]> record : results) {
      LabelledRecord row = LabelledRecord.fromByteBuffer(ByteBuffer.wrap(record.value()));
      assertThat(row.getId()).isEqualTo(record.key());
      assertThat(row.getCostUsd()).isPositive();
    }
    assertThat(letters).singleElement().satisfies(record -> {
      DeadLetter letter = DeadLetter.fromByteBuffer(ByteBuffer.wrap(record.value()));
      assertThat(letter.getReason()).contains("not an Avro Document");
      assertThat(letter.getPayload()).startsWith("base64:");
    });
  }

  @Test
  void resultsAreArchivedAsWindowedParquet() throws Exception {
    Path archive = temp.resolve("archive");
    StreamRequest request = request("archive", RunnerChoice.DIRECT).withArchive(archive, Duration.ofSeconds(3));
    produce(request.inputTopic(), 0, 40);
    try (StreamJob.Running running = StreamJob.start(request)) {
      awaitRecords(request.outputTopic(), r -> r.size() >= 40, Duration.ofMinutes(2));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && archived(archive) < 40) {
        Thread.sleep(1000);
      }
    }
    assertThat(archived(archive)).isEqualTo(40);
  }

  private static long archived(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      if (files.noneMatch(f -> f.getFileName().toString().endsWith(".parquet"))) {
        return 0;
      }
    }
    return dev.flashline.pipeline.Outputs.labelsMatching(dir, "labels-*.parquet").size();
  }

  @Test
  void aJobOfTwoTasksOnAnEndpointWritesOneResultPerTaskInBoundedBatches() throws Exception {
    dev.flashline.grouping.TaskAwareAnswerer model = new dev.flashline.grouping.TaskAwareAnswerer();
    try (dev.flashline.backend.openai.ChatCompletionsServer server = dev.flashline.backend.openai.ChatCompletionsServer.start(
        dev.flashline.backend.openai.ServerConfig.defaults().withAnswerer(model).withFixedDelay(Duration.ofMillis(20)))) {
      JobSpec tasks = dev.flashline.task.JobSpecLoader.parse("""
          name: sms-two-tasks
          backend: openai
          openai: {endpoint: "%s", api_key_env: FLASHLINE_TEST_NO_SUCH_VAR, max_in_flight: 16}
          cost: {batch_size: 40, max_batch_wait_seconds: 0.5, prime_settle_seconds: 0.05}
          tasks:
            - {name: spam, task: classify, labels: [{name: spam}, {name: ham}]}
            - {name: gist, task: summarise, summary: {max_words: 10, max_sentences: 1}}
          """.formatted(server.baseUri()), "stream-tasks.yaml");
      String name = "tasks";
      broker.createTopic(name + ".in", 3);
      broker.createTopic(name + ".out", 3);
      broker.createTopic(name + ".in.dead-letters", 1);
      StreamRequest request = StreamRequest.of(tasks, broker.bootstrapServers(), name + ".in", name + ".out")
          .withGroupId("flashline-" + name)
          .withRunner(RunnerChoice.DIRECT, 2, null);
      List<String> ids = produce(request.inputTopic(), 0, 100);

      List<ConsumerRecord<String, byte[]>> results;
      try (StreamJob.Running running = StreamJob.start(request)) {
        results = awaitRecords(request.outputTopic(), r -> r.size() >= 200, Duration.ofMinutes(3));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (committed(request.kafka().groupId(), request.inputTopic()) < 100 && System.nanoTime() < deadline) {
          Thread.sleep(500);
        }
        assertThat(running.pending()).isZero();
      }

      // One result per message and task, never more: every message's offset is committed only
      // after both of its rows are written.
      assertThat(results).hasSize(200);
      Map<String, Set<String>> tasksById = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : results) {
        JsonNode row = JSON.readTree(record.value());
        assertThat(row.get("status").asText()).isEqualTo("ok");
        assertThat(tasksById.computeIfAbsent(record.key(), k -> new HashSet<>()).add(row.get("task_name").asText())).isTrue();
      }
      assertThat(tasksById.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(tasksById.values()).allSatisfy(t -> assertThat(t).containsExactlyInAnyOrder("spam", "gist"));
      assertThat(committed(request.kafka().groupId(), request.inputTopic())).isEqualTo(100);
      // Requests went out in prefix batches, each prompt warmed by a primer first.
      assertThat(new HashSet<>(model.primers)).hasSize(2);
    }
  }
}
