package dev.flashline.stream;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;

/**
 * Commits a partition's offset once every message before it is finished, when the messages are
 * read on one worker and finished on others: the cluster's counterpart of the {@link
 * OffsetLedger}'s commits. Keyed by partition, it hears of every message read (from the reader,
 * in the order read: one reader per partition, and Flink keeps the order of one sender's
 * elements to one receiver) and of every message finished (from whichever worker published its
 * result, after the broker acknowledged it). The committed offset is the oldest message read and
 * not finished, or one past the newest read when all are: a restart without the job's state
 * resumes at the first message whose result may be missing. Commits go out at most once a second
 * per partition; the state is part of the job's checkpoints.
 */
class CommitOffsetsFn extends DoFn<KV<String, OffsetEvent>, Void> {
  /** How often a partition's offset is committed at most. */
  static final Duration COMMIT_DELAY = Duration.standardSeconds(1);

  /** One partition's progress. */
  static final class Progress implements Serializable {
    /** Read and not yet finished. */
    final TreeSet<Long> inFlight = new TreeSet<>();
    /** Finished before the reader's event arrived (they travel different paths). */
    final TreeSet<Long> finishedEarly = new TreeSet<>();
    long highestRead = -1;

    void read(long offset) {
      if (!finishedEarly.remove(offset)) {
        inFlight.add(offset);
      }
      highestRead = Math.max(highestRead, offset);
    }

    void done(long offset) {
      // A message finished twice (read again after a restore) is forgotten the second time.
      if (!inFlight.remove(offset) && offset > highestRead) {
        finishedEarly.add(offset);
      }
    }

    /** The offset to commit, or -1 when nothing is read yet. */
    long committable() {
      if (highestRead < 0) {
        return -1;
      }
      return inFlight.isEmpty() ? highestRead + 1 : inFlight.first();
    }
  }

  /** Where a partition's committable offset goes; tests pass their own. */
  interface Committer extends Serializable {
    void commit(TopicPartition partition, long offset);
  }

  private final String runId;
  private final KafkaSettings settings;
  private final Committer committer;
  private transient KafkaClients clients;

  @StateId("progress")
  private final StateSpec<ValueState<Progress>> progressSpec = StateSpecs.value(SerializableCoder.of(Progress.class));

  @StateId("armed")
  private final StateSpec<ValueState<Boolean>> armedSpec = StateSpecs.value(SerializableCoder.of(Boolean.class));

  @TimerId("commit")
  private final TimerSpec commitSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  /** Commits through the run's Kafka clients in this JVM (shared with its publishers). */
  CommitOffsetsFn(String runId, KafkaSettings settings) {
    this.runId = runId;
    this.settings = settings;
    this.committer = null;
  }

  CommitOffsetsFn(Committer committer) {
    this.runId = null;
    this.settings = null;
    this.committer = committer;
  }

  @Setup
  public void setup() {
    if (committer == null) {
      clients = KafkaClients.acquire(runId, settings);
    }
  }

  @Teardown
  public void teardown() {
    if (clients != null) {
      KafkaClients.release(runId, clients);
      clients = null;
    }
  }

  @ProcessElement
  public void process(
      @Element KV<String, OffsetEvent> event,
      @StateId("progress") ValueState<Progress> progressState,
      @StateId("armed") ValueState<Boolean> armed,
      @TimerId("commit") Timer commit) {
    Progress progress = progressState.read();
    if (progress == null) {
      progress = new Progress();
    }
    if (event.getValue().done()) {
      progress.done(event.getValue().offset());
    } else {
      progress.read(event.getValue().offset());
    }
    progressState.write(progress);
    // Setting the timer again would postpone it for as long as events keep coming: set it once.
    if (!Boolean.TRUE.equals(armed.read())) {
      armed.write(true);
      commit.offset(COMMIT_DELAY).setRelative();
    }
  }

  @OnTimer("commit")
  public void onCommit(
      @Key String key, @StateId("progress") ValueState<Progress> progressState, @StateId("armed") ValueState<Boolean> armed) {
    armed.write(false);
    Progress progress = progressState.read();
    if (progress == null || progress.committable() < 0) {
      return;
    }
    int slash = key.lastIndexOf('/');
    TopicPartition topicPartition = new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
    if (committer != null) {
      committer.commit(topicPartition, progress.committable());
    } else {
      clients.commit(Map.of(topicPartition, progress.committable()), true);
    }
  }
}
