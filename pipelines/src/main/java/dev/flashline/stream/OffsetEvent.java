package dev.flashline.stream;

import java.io.Serializable;

/**
 * A message of one partition read, or finished (its result or dead letter written and
 * acknowledged), for {@link CommitOffsetsFn}, which is keyed by partition.
 */
record OffsetEvent(long offset, boolean done) implements Serializable {
  static OffsetEvent read(long offset) {
    return new OffsetEvent(offset, false);
  }

  static OffsetEvent done(long offset) {
    return new OffsetEvent(offset, true);
  }

  /** The key of a partition's events: {@code topic/partition}. */
  static String partitionKey(KafkaPosition position) {
    return position.topic() + "/" + position.partition();
  }
}
