package dev.flashline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaTestBrokerTest {

  private static KafkaTestBroker broker;

  @BeforeAll
  static void startBroker() {
    long start = System.nanoTime();
    broker = KafkaTestBroker.start();
    System.out.printf("Kafka test broker: %s at %s, started in %d ms%n",
        broker.kind(), broker.bootstrapServers(), (System.nanoTime() - start) / 1_000_000);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      long start = System.nanoTime();
      broker.close();
      System.out.printf("Kafka test broker stopped in %d ms%n",
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  @Test
  void recordsProducedAcrossPartitionsAreAllReadBack() {
    broker.createTopic("spread", 3);
    for (int i = 0; i < 100; i++) {
      broker.produce("spread", i % 3, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }

    List<ConsumerRecord<String, byte[]>> records = broker.readAll("spread", Duration.ofSeconds(30));

    assertThat(records).hasSize(100);
    assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    assertThat(records.stream().filter(r -> r.partition() == 0)).hasSize(34);
    Set<String> values = records.stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .collect(Collectors.toSet());
    assertThat(values).hasSize(100).contains("v0", "v99");
    assertThat(records).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
        .isEqualTo("v" + r.key().substring(1)));
  }

  @Test
  void keyedRecordsWithoutAPartitionAreReadBackInOrder() {
    broker.createTopic("keyed", 1);
    broker.produce("keyed", "a", "1".getBytes(StandardCharsets.UTF_8));
    broker.produce("keyed", "b", "2".getBytes(StandardCharsets.UTF_8));

    assertThat(broker.readAll("keyed", Duration.ofSeconds(30)))
        .extracting(ConsumerRecord::key, ConsumerRecord::offset)
        .containsExactly(tuple("a", 0L), tuple("b", 1L));
  }

  @Test
  void offsetsCommittedByAConsumerAreReported() {
    broker.createTopic("committed", 3);
    TopicPartition p0 = new TopicPartition("committed", 0);
    TopicPartition p2 = new TopicPartition("committed", 2);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(groupConsumer("g1"))) {
      consumer.assign(List.of(p0, p2));
      consumer.commitSync(Map.of(p0, new OffsetAndMetadata(7), p2, new OffsetAndMetadata(3)));
    }

    assertThat(broker.committedOffsets("g1", "committed")).isEqualTo(Map.of(p0, 7L, p2, 3L));
    assertThat(broker.committedOffsets("nobody", "committed")).isEmpty();
  }

  @Test
  void readingAMissingTopicFailsAndDoesNotCreateIt() {
    assertThatThrownBy(() -> broker.readAll("never-created", Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("never-created");

    // The reader's metadata request asks for auto-creation; had the broker granted it, the topic
    // would exist now.
    assertThatThrownBy(() -> broker.readAll("never-created", Duration.ofSeconds(5)))
        .hasMessageContaining("does not exist");
  }

  private static Properties groupConsumer(String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
