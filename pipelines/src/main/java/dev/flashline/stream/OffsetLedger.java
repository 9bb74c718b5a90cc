package dev.flashline.stream;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What a stream run has read and not yet finished, per partition, in this JVM: the source of
 * truth for which offsets may be committed. An offset is committable only once the result of
 * every message before it that this run read has been written, so a restart resumes at the
 * first message whose result may be missing (at-least-once), whatever order records finish in.
 */
public final class OffsetLedger {
  private static final Map<String, OffsetLedger> RUNS = new ConcurrentHashMap<>();

  private final Map<TopicPartition, NavigableSet<Long>> pending = new HashMap<>();
  private final Map<TopicPartition, Long> highestDone = new HashMap<>();
  /** Record id -> its messages in flight (a producer may send an id twice). */
  private final Map<String, Deque<InFlight>> byId = new HashMap<>();

  /** A message in flight: where it was read, and its value, for a dead letter if its record fails. */
  public record Entry(KafkaPosition position, byte[] payload) {}

  /**
   * A message's entry handed to one of its result rows.
   *
   * @param last whether this is the message's last row (a job of several tasks writes one per
   *     task): only then is the message finished once the row is written
   */
  public record Taken(Entry entry, boolean last) {}

  /** A message and how many of its result rows are still to come. */
  private static final class InFlight {
    final Entry entry;
    int rowsLeft;

    InFlight(Entry entry, int rowsLeft) {
      this.entry = entry;
      this.rowsLeft = rowsLeft;
    }
  }
  private int pendingCount;
  private long done;

  private OffsetLedger() {}

  public static OffsetLedger of(String runId) {
    return RUNS.computeIfAbsent(runId, id -> new OffsetLedger());
  }

  public static void forget(String runId) {
    RUNS.remove(runId);
  }

  /** Records a message as read: its offset is not committed until {@link #done} says its result is written. */
  public synchronized void read(KafkaPosition position, String recordId, byte[] payload) {
    read(position, recordId, payload, 1);
  }

  /** @param rows result rows the message will have: one per task of the job */
  public synchronized void read(KafkaPosition position, String recordId, byte[] payload, int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("a message has at least one result row, got " + rows);
    }
    TopicPartition partition = new TopicPartition(position.topic(), position.partition());
    if (pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(position.offset())) {
      pendingCount++;
    }
    if (recordId != null) {
      byId.computeIfAbsent(recordId, id -> new ArrayDeque<>()).add(new InFlight(new Entry(position, payload), rows));
    }
  }

  /**
   * The message of a record whose result row is being written, or null when this JVM did not read
   * it. Its last row takes it off the ledger's list of messages awaiting rows.
   */
  public synchronized Taken take(String recordId) {
    Deque<InFlight> entries = byId.get(recordId);
    if (entries == null) {
      return null;
    }
    InFlight head = entries.peek();
    boolean last = --head.rowsLeft == 0;
    if (last) {
      entries.poll();
      if (entries.isEmpty()) {
        byId.remove(recordId);
      }
    }
    return new Taken(head.entry, last);
  }

  /** Marks a message finished: its result (or dead letter) is written and flushed. */
  public synchronized void done(KafkaPosition position) {
    TopicPartition partition = new TopicPartition(position.topic(), position.partition());
    NavigableSet<Long> open = pending.get(partition);
    if (open != null && open.remove(position.offset())) {
      pendingCount--;
      done++;
    }
    highestDone.merge(partition, position.offset(), Math::max);
  }

  /**
   * Per partition, the offset to commit (the next message to read on restart): the oldest
   * message still in flight, or one past the newest finished when none is.
   */
  public synchronized Map<TopicPartition, Long> committable() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> entry : highestDone.entrySet()) {
      NavigableSet<Long> open = pending.get(entry.getKey());
      out.put(entry.getKey(), open == null || open.isEmpty() ? entry.getValue() + 1 : open.first());
    }
    return out;
  }

  public synchronized long done() {
    return done;
  }

  public synchronized int pending() {
    return pendingCount;
  }
}
