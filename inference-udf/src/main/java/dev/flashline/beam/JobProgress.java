package dev.flashline.beam;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Records done so far, per job run. Beam metrics reach the launcher only when the runner reports
 * them (the Flink runner does so at the end of a batch job), so the DoFns also count into this
 * JVM-wide registry, which the command line reads while a job runs on DirectRunner or Flink's
 * embedded cluster. On a remote cluster the count lives on the workers and the Beam counter
 * ({@value #COUNTER}) is what shows progress.
 */
public final class JobProgress {
  public static final String NAMESPACE = "flashline";
  public static final String COUNTER = "records_processed";

  private static final Map<String, AtomicLong> DONE = new ConcurrentHashMap<>();

  private JobProgress() {}

  /** Counts into both this JVM's registry and a Beam counter; create one per DoFn instance. */
  public static final class Tracker {
    private final AtomicLong done;
    private final Counter counter = Metrics.counter(NAMESPACE, COUNTER);

    private Tracker(AtomicLong done) {
      this.done = done;
    }

    public void add(long records) {
      done.addAndGet(records);
      counter.inc(records);
    }
  }

  public static Tracker tracker(String runId) {
    return new Tracker(DONE.computeIfAbsent(runId, id -> new AtomicLong()));
  }

  public static long done(String runId) {
    AtomicLong done = DONE.get(runId);
    return done == null ? 0 : done.get();
  }

  public static void forget(String runId) {
    DONE.remove(runId);
  }
}
