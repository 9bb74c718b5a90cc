package dev.flashline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashline.kafka.KafkaTestBroker;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.stream.StreamJob;
import dev.flashline.stream.StreamRequest;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A soak of the streaming job on a real broker (in this JVM): MESSAGES SMS messages (the sample
 * repeated with distinct ids) are produced at RATE per second while the stream runs with the
 * local backend; prints messages/s, end-to-end latency percentiles (input create time to result
 * create time) and the most heap in use.
 *
 * <p>Usage: {@code StreamSoakBench JOB.yaml SAMPLE.jsonl MESSAGES RATE direct|flink PARALLELISM}
 */
public final class StreamSoakBench {
  public static void main(String[] args) throws Exception {
    JobSpec job = JobSpecLoader.load(Path.of(args[0]));
    List<String> lines = Files.readAllLines(Path.of(args[1]));
    int messages = Integer.parseInt(args[2]);
    double rate = Double.parseDouble(args[3]);
    RunnerChoice runner = RunnerChoice.parse(args[4]);
    int parallelism = Integer.parseInt(args[5]);
    ObjectMapper json = new ObjectMapper();

    AtomicLong peakHeap = new AtomicLong();
    Thread heapWatch = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        Runtime rt = Runtime.getRuntime();
        peakHeap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    heapWatch.setDaemon(true);
    heapWatch.start();

    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      broker.createTopic("soak.in", 4);
      broker.createTopic("soak.out", 4);
      broker.createTopic("soak.in.dead-letters", 1);
      StreamRequest request =
          StreamRequest.of(job, broker.bootstrapServers(), "soak.in", "soak.out").withRunner(runner, parallelism, null);
      Map<String, Long> produced = new HashMap<>(messages * 2);
      long[] latencies = new long[messages];
      int received = 0;
      long firstResult = 0;
      long lastResult = 0;
      try (StreamJob.Running running = StreamJob.start(request);
          KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(broker.bootstrapServers()));
          KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(broker.bootstrapServers()))) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
          partitions.add(new TopicPartition("soak.out", p));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        int sent = 0;
        while (received < messages) {
          long due = Math.min(messages, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
          while (sent < due) {
            ObjectNode row = (ObjectNode) json.readTree(lines.get(sent % lines.size()));
            String id = "soak-" + sent;
            row.put("id", id);
            producer.send(new ProducerRecord<>("soak.in", id, json.writeValueAsBytes(row)));
            sent++;
          }
          for (ConsumerRecord<String, byte[]> result : consumer.poll(Duration.ofMillis(50))) {
            if (produced.put(result.key(), result.timestamp()) == null) {
              if (received == 0) {
                firstResult = result.timestamp();
              }
              lastResult = Math.max(lastResult, result.timestamp());
              received++;
            }
          }
          if (System.nanoTime() - start > Duration.ofMinutes(30).toNanos()) {
            System.err.println("gave up after 30 minutes with " + received + " results");
            break;
          }
        }
        // Latency: the result's create time minus the input's, read back from the input topic.
        Map<String, Long> inputTimes = new HashMap<>(messages * 2);
        for (ConsumerRecord<String, byte[]> input : broker.readAll("soak.in", Duration.ofMinutes(2))) {
          inputTimes.put(input.key(), input.timestamp());
        }
        int n = 0;
        for (Map.Entry<String, Long> result : produced.entrySet()) {
          Long in = inputTimes.get(result.getKey());
          if (in != null) {
            latencies[n++] = result.getValue() - in;
          }
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        double seconds = (lastResult - startMillis) / 1000.0;
        System.out.printf(Locale.ROOT, "| %s | %d | %,d | %.0f | %,d | %.1f | %.0f | %,d | %,d | %,d | %,d | %d |%n",
            runner.displayName(), parallelism, messages, rate, received, seconds, received / seconds,
            pct(sorted, 0.50), pct(sorted, 0.95), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1],
            peakHeap.get() / (1024 * 1024));
      }
    }
    heapWatch.interrupt();
    System.exit(0);
  }

  private static long pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static Properties producerConfig(String bootstrap) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return config;
  }

  private static Properties consumerConfig(String bootstrap) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    return config;
  }
}
