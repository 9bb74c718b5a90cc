package dev.flashline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker for tests: a Testcontainers container when a Docker engine is reachable,
 * otherwise a single-node KRaft broker inside this JVM. Start one per test class (in
 * {@code @BeforeAll}); topics are never auto-created, so create them with {@link #createTopic}.
 */
public final class KafkaTestBroker implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(30);

  private final AutoCloseable broker;
  private final String bootstrapServers;
  private final String kind;
  private final Admin admin;
  private KafkaProducer<String, byte[]> producer;

  private KafkaTestBroker(AutoCloseable broker, String bootstrapServers, String kind) {
    this.broker = broker;
    this.bootstrapServers = bootstrapServers;
    this.kind = kind;
    this.admin = Admin.create(adminConfig(bootstrapServers));
  }

  /** Starts a broker and returns once it answers metadata requests. */
  public static KafkaTestBroker start() {
    KafkaTestBroker started;
    if (DockerProbe.dockerAvailable()) {
      ContainerKafkaBroker container = ContainerKafkaBroker.start();
      started = new KafkaTestBroker(container, container.bootstrapServers(), "testcontainers");
    } else {
      InJvmKraftBroker inJvm = InJvmKraftBroker.start();
      started = new KafkaTestBroker(inJvm, inJvm.bootstrapServers(), "in-JVM KRaft");
    }
    try {
      started.awaitReady();
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** "testcontainers" or "in-JVM KRaft". */
  public String kind() {
    return kind;
  }

  /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
  public void createTopic(String name, int partitions) {
    get(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all(),
        "create topic " + name);
    long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description =
            admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
        if (description.partitions().size() == partitions
            && description.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException e) {
        // The controller has the topic but the broker's metadata may lag for a moment.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic " + name, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topic " + name + " was created but its " + partitions
                + " partitions have no leader after " + OPERATION_TIMEOUT);
      }
      sleep(50);
    }
  }

  /** Sends one record and waits for the broker's acknowledgement; the partition follows the key. */
  public void produce(String topic, String key, byte[] value) {
    send(new ProducerRecord<>(topic, key, value));
  }

  /** Sends one record to the given partition and waits for the broker's acknowledgement. */
  public void produce(String topic, int partition, String key, byte[] value) {
    send(new ProducerRecord<>(topic, partition, key, value));
  }

  /**
   * Every committed record of the topic, from the beginning of each partition, in partition
   * order; reads without a consumer group so nothing is committed. Stops at the end offsets seen
   * at the call, or at the timeout with what was read so far. Throws if the topic does not exist.
   */
  public List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration timeout) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(readerConfig())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, OPERATION_TIMEOUT).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
          .toList();
      if (partitions.isEmpty()) {
        // Otherwise a misspelt topic would read as an empty one.
        throw new IllegalStateException("Kafka: topic " + topic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, OPERATION_TIMEOUT);
      Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new HashMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reachedEnd(consumer, end) && System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<String, byte[]> record : records) {
          byPartition
              .computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                  p -> new ArrayList<>())
              .add(record);
        }
      }
      List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
      partitions.forEach(p -> all.addAll(byPartition.getOrDefault(p, List.of())));
      return all;
    }
  }

  /** The offsets the group has committed for the topic's partitions (absent: never committed). */
  public Map<TopicPartition, Long> committedOffsets(String groupId, String topic) {
    return get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(),
        "list offsets of group " + groupId)
        .entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  @Override
  public void close() {
    // Clients first: once the broker is gone they would only retry until their own timeouts.
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
    admin.close(Duration.ofSeconds(5));
    try {
      broker.close();
    } catch (Exception e) {
      throw new IllegalStateException("Kafka broker (" + kind + ") did not stop: " + e, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Collection<?> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        if (!nodes.isEmpty()) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
      }
      sleep(100);
    }
    throw new IllegalStateException("Kafka broker (" + kind + ") at " + bootstrapServers
        + " did not answer within " + READY_TIMEOUT + (last == null ? "" : ": " + last), last);
  }

  private void send(ProducerRecord<String, byte[]> record) {
    get(producer().send(record), "produce to " + record.topic());
  }

  private synchronized KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      // A missing topic should fail the test quickly, not block for the default minute.
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(OPERATION_TIMEOUT.toMillis()));
      producer = new KafkaProducer<>(p);
    }
    return producer;
  }

  private Properties readerConfig() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // What a downstream reader sees: aborted or still-open transactional writes are not output.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        IsolationLevel.READ_COMMITTED.toString().toLowerCase());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  private static boolean reachedEnd(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    // Positions, not record counts: transaction markers take offsets but are never returned.
    return end.entrySet().stream()
        .allMatch(e -> consumer.position(e.getKey(), OPERATION_TIMEOUT) >= e.getValue());
  }

  private static Properties adminConfig(String bootstrapServers) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        String.valueOf(OPERATION_TIMEOUT.toMillis()));
    return p;
  }

  private static <T> T get(Future<T> future, String what) {
    try {
      return future.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka: could not " + what + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka: could not " + what + " within " + OPERATION_TIMEOUT,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
