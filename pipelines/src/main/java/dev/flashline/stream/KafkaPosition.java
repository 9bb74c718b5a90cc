package dev.flashline.stream;

import java.io.Serializable;
import java.util.Objects;

/** Where a message sits: topic, partition, offset. */
public record KafkaPosition(String topic, int partition, long offset) implements Serializable {
  public KafkaPosition {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0 || offset < 0) {
      throw new IllegalArgumentException("bad position " + topic + "/" + partition + "@" + offset);
    }
  }

  @Override
  public String toString() {
    return topic + " partition " + partition + " offset " + offset;
  }
}
