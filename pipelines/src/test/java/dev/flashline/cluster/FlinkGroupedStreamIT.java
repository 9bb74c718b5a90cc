package dev.flashline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.openai.Answer;
import dev.flashline.backend.openai.Answerer;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.kafka.KafkaTestBroker;
import dev.flashline.pipeline.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka job on a real two-TaskManager cluster with requests grouped by prompt prefix: a
 * shuffle sits between reading a message and publishing its result, so the TaskManager that
 * writes a result is often not the one that read its message. Every record must still be
 * answered once, a failed record's dead letter must still carry its original message and where
 * it was read, and the consumer group's offsets must still reach the end of every partition once
 * everything is written (the keyed steps that join results to messages and commit offsets across
 * TaskManagers; before them, the reading TaskManager kept every message answered elsewhere for
 * good and its offsets stopped at the first of them).
 */
class FlinkGroupedStreamIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-flashline-grouped-7e21a4";
  private static final String JOB_NAME = "tickets-grouped";
  private static final int PARALLELISM = 4;
  private static final int RECORDS = 120;

  @TempDir Path temp;

  @Test
  void recordsAnsweredOnAnotherTaskManagerAreJoinedToTheirMessagesAndTheirOffsetsCommitted() throws Exception {
    Path jar = FlashlineProcess.jar();
    ClusterSpec spec = ClusterSpec.of(temp.resolve("cluster")).withTaskManagers(2).withSlots(2).withClasspath(List.of(jar));
    // "unanswerable" documents get a label outside the job's set, again on the corrective retry (whose last
    // user message is the correction, so the whole conversation is searched): they fail.
    Answerer spam = Answerer.classifyByKeyword(Map.of("prize", "spam"), "ham", 0.9);
    Answerer answerer = request -> request.messages().stream().anyMatch(m -> m.content().contains("unanswerable"))
        ? Answer.of("{\"label\": \"no-such-label\", \"confidence\": 0.9}")
        : spam.answer(request);
    try (KafkaTestBroker broker = KafkaTestBroker.start();
        ChatCompletionsServer server = ChatCompletionsServer.start(ServerConfig.defaults().withApiKey(KEY).withAnswerer(answerer));
        LocalFlinkCluster cluster = LocalFlinkCluster.start(spec, Duration.ofMinutes(3))) {
      try {
        broker.createTopic("in", PARALLELISM);
        broker.createTopic("out", PARALLELISM);
        broker.createTopic("in.dead-letters", 1);
        Map<String, String> messages = new LinkedHashMap<>();
        for (int i = 0; i < RECORDS; i++) {
          String text = (i % 40 == 7 ? "unanswerable question " : i % 3 == 0 ? "claim your prize now " : "see you at lunch ") + i;
          messages.put("t-" + i, JSON.createObjectNode().put("id", "t-" + i).put("text", text).toString());
        }
        messages.forEach((id, value) -> broker.produce("in", id, value.getBytes(StandardCharsets.UTF_8)));
        broker.produce("in", "poison-1", "{not json".getBytes(StandardCharsets.UTF_8));
        broker.produce("in", "poison-2", "[]".getBytes(StandardCharsets.UTF_8));
        Set<String> failing = messages.entrySet().stream().filter(e -> e.getValue().contains("unanswerable"))
            .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(failing).hasSize(3);

        try (FlashlineProcess stream = FlashlineProcess.start(temp.resolve("stream.log"),
            "stream", "--job", writeJob(server.baseUri().toString()).toString(), "--bootstrap", broker.bootstrapServers(),
            "--input-topic", "in", "--output-topic", "out", "--runner", "flink", "--flink-master", cluster.flinkMaster(),
            "--parallelism", String.valueOf(PARALLELISM), "--checkpoint-interval", "10", "--grouping", "on", "--priming", "off",
            "--progress-interval", "2")) {
          List<ConsumerRecord<String, byte[]>> out = awaitTopic(broker, "out", messages.keySet(), Duration.ofMinutes(4), stream);
          List<ConsumerRecord<String, byte[]>> dead = awaitTopic(broker, "in.dead-letters", union(failing, Set.of("poison-1", "poison-2")),
              Duration.ofMinutes(1), stream);

          // Both TaskManagers ran the stream: the grouped requests were spread over them.
          String jobId = cluster.rest().newestJob(JOB_NAME, 0).orElseThrow();
          assertThat(cluster.rest().subtaskTaskManagers(jobId).values().stream().flatMap(List::stream).collect(Collectors.toSet()))
              .containsExactlyInAnyOrder("tm-1", "tm-2");

          // Every record answered, each asked once (the failing ones twice: the corrective retry).
          Map<String, Long> rows = out.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
          assertThat(rows.keySet()).isEqualTo(messages.keySet());
          assertThat(server.requests()).isEqualTo(RECORDS + failing.size());
          for (ConsumerRecord<String, byte[]> record : out) {
            JsonNode row = JSON.readTree(record.value());
            assertThat(row.get("status").asText()).as(record.key()).isEqualTo(failing.contains(record.key()) ? "failed" : "ok");
          }

          // A failed record's dead letter carries its original message and where it was read, wherever it was answered.
          Map<String, Long> offsets = new HashMap<>();
          Map<String, Integer> partitions = new HashMap<>();
          for (ConsumerRecord<String, byte[]> record : broker.readAll("in", Duration.ofSeconds(10))) {
            offsets.put(record.key(), record.offset());
            partitions.put(record.key(), record.partition());
          }
          for (ConsumerRecord<String, byte[]> record : dead) {
            JsonNode letter = JSON.readTree(record.value());
            String id = record.key();
            if (failing.contains(id)) {
              assertThat(JSON.readTree(letter.get("payload").asText())).as(id).isEqualTo(JSON.readTree(messages.get(id)));
            }
            assertThat(letter.get("location").asText()).as(id)
                .isEqualTo("partition " + partitions.get(id) + " offset " + offsets.get(id));
          }

          // The group's offsets reach the end of every partition: every message read is finished.
          Map<TopicPartition, Long> end = new HashMap<>();
          partitions.forEach((id, partition) -> end.merge(new TopicPartition("in", partition), offsets.get(id) + 1, Math::max));
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          Map<TopicPartition, Long> committed = Map.of();
          while (System.nanoTime() < deadline && !(committed = broker.committedOffsets("flashline-" + JOB_NAME, "in")).equals(end)) {
            Thread.sleep(500);
          }
          assertThat(committed).as("committed offsets vs the end of each partition; the stream said:\n" + stream.output()).isEqualTo(end);

          stream.interrupt();
          stream.waitFor(Duration.ofMinutes(1));
        }
      } finally {
        FlashlineProcess.keepLogs("FlinkGroupedStreamIT", spec.dir(), temp.resolve("stream.log"));
      }
    }
  }

  private Path writeJob(String endpoint) throws Exception {
    Path keyFile = Files.writeString(temp.resolve("api.key"), KEY + "\n");
    return Files.writeString(temp.resolve("job.yaml"), Samples.spamHamOpenAiJob(JOB_NAME, endpoint, keyFile) + """
        cost:
          batch_size: 8
          max_batch_wait_seconds: 1
        """);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }

  /** Every record of the topic once each of {@code ids} is among its keys. */
  private static List<ConsumerRecord<String, byte[]>> awaitTopic(
      KafkaTestBroker broker, String topic, Set<String> ids, Duration timeout, FlashlineProcess stream) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      assertThat(stream.isAlive()).as("the stream command exited: " + stream.output()).isTrue();
      records = broker.readAll(topic, Duration.ofSeconds(5));
      if (records.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(ids)) {
        return records;
      }
      Thread.sleep(500);
    }
    Set<String> seen = records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
    throw new AssertionError(topic + ": " + ids.stream().filter(id -> !seen.contains(id)).count() + " of " + ids.size()
        + " records missing after " + timeout + "; the stream said:\n" + stream.output());
  }
}
