package dev.flashline.stream;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The producer and the offset committer of a stream run, one each per JVM, shared by its
 * workers and closed with the last of them (or by the launcher, when a failed run left them open).
 */
final class KafkaClients {
  private static final Map<String, KafkaClients> OPEN = new HashMap<>();
  private static final long COMMIT_EVERY_NANOS = Duration.ofMillis(500).toNanos();

  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> committer;
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private int references;
  private long lastCommit = System.nanoTime() - COMMIT_EVERY_NANOS;

  private KafkaClients(KafkaSettings settings) {
    this.producer = new KafkaProducer<>(settings.producer());
    // Used only to commit: it never subscribes, so its commits are plain group offset writes.
    this.committer = new KafkaConsumer<>(settings.consumer(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  static synchronized KafkaClients acquire(String runId, KafkaSettings settings) {
    KafkaClients clients = OPEN.computeIfAbsent(runId, id -> new KafkaClients(settings));
    clients.references++;
    return clients;
  }

  static synchronized void release(String runId, KafkaClients clients) {
    if (--clients.references == 0 && OPEN.remove(runId, clients)) {
      clients.close();
    }
  }

  /**
   * Commits the run's last finished offsets and closes its clients: a runner does not always tear
   * its DoFns down when a stream is cancelled.
   */
  static synchronized void closeRun(String runId, Map<TopicPartition, Long> finished) {
    KafkaClients clients = OPEN.remove(runId);
    if (clients != null) {
      try {
        clients.commit(finished, true);
      } catch (RuntimeException e) {
        // The messages after the last commit are read again on restart.
      }
      clients.close();
    }
  }

  static synchronized int open() {
    return OPEN.size();
  }

  KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  /**
   * Commits the offsets that moved, at most twice a second (each commit is a round trip); the
   * last ones of a run are committed when it stops.
   */
  synchronized void commit(Map<TopicPartition, Long> offsets, boolean force) {
    if (!force && System.nanoTime() - lastCommit < COMMIT_EVERY_NANOS) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> moved =
        offsets.entrySet().stream()
            .filter(e -> !e.getValue().equals(committed.get(e.getKey())))
            .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())));
    if (moved.isEmpty()) {
      return;
    }
    committer.commitSync(moved, Duration.ofSeconds(30));
    moved.forEach((partition, offset) -> committed.put(partition, offset.offset()));
    lastCommit = System.nanoTime();
  }

  private void close() {
    producer.close(Duration.ofSeconds(10));
    committer.close(Duration.ofSeconds(10));
  }
}
