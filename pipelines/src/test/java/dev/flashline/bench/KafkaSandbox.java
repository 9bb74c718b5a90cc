package dev.flashline.bench;

import dev.flashline.kafka.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A throwaway Kafka for trying {@code flashline stream} by hand: starts a broker, creates
 * {@code in}, {@code out} and {@code in.dead-letters}, produces the first N lines of a JSONL
 * file (keyed by line number) and one poison message, prints the bootstrap address, then after
 * SECONDS prints how many results and dead letters arrived.
 *
 * <p>Usage: {@code KafkaSandbox FILE.jsonl N SECONDS}
 */
public final class KafkaSandbox {
  public static void main(String[] args) throws Exception {
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    int n = Integer.parseInt(args[1]);
    try (KafkaTestBroker broker = KafkaTestBroker.start()) {
      broker.createTopic("in", 2);
      broker.createTopic("out", 2);
      broker.createTopic("in.dead-letters", 1);
      for (int i = 0; i < n; i++) {
        broker.produce("in", "line-" + i, lines.get(i).getBytes(StandardCharsets.UTF_8));
      }
      broker.produce("in", "poison", "not json".getBytes(StandardCharsets.UTF_8));
      System.out.println("BOOTSTRAP " + broker.bootstrapServers());
      System.out.flush();
      Thread.sleep(Long.parseLong(args[2]) * 1000);
      System.out.println("RESULTS " + broker.readAll("out", Duration.ofSeconds(10)).size()
          + " DEAD_LETTERS " + broker.readAll("in.dead-letters", Duration.ofSeconds(10)).size());
    }
    System.exit(0);
  }
}
