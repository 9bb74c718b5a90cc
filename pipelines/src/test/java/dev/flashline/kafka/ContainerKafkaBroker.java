package dev.flashline.kafka;

import org.testcontainers.kafka.KafkaContainer;

/** Kafka in a Docker container via Testcontainers, configured like the in-JVM broker. */
final class ContainerKafkaBroker implements AutoCloseable {

  // The broker's version matches kafka-clients, so both fixtures behave the same.
  static final String IMAGE = "apache/kafka:3.9.1";

  private final KafkaContainer container;

  private ContainerKafkaBroker(KafkaContainer container) {
    this.container = container;
  }

  static ContainerKafkaBroker start() {
    KafkaContainer container = new KafkaContainer(IMAGE)
        // Testcontainers already sets replication factor 1 and no rebalance delay; these keep
        // the remaining behaviour equal to the in-JVM broker.
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .withEnv("KAFKA_NUM_PARTITIONS", "1")
        .withEnv("KAFKA_DEFAULT_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "1")
        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
    try {
      container.start();
    } catch (RuntimeException e) {
      container.close();
      throw new IllegalStateException("Kafka container " + IMAGE + " did not start: " + e, e);
    }
    return new ContainerKafkaBroker(container);
  }

  String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.close();
  }
}
