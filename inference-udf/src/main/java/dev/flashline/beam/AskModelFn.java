package dev.flashline.beam;

import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.EndpointAuthException;
import dev.flashline.backend.openai.OpenAiBackend;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schedule.OffPeakGate;
import dev.flashline.schedule.OffPeakPolicy;
import dev.flashline.task.JobSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Sends documents to an OpenAI-compatible endpoint, many at a time: each element starts a call
 * and the DoFn moves on; answers are emitted as they arrive, and the bundle ends when every call
 * it started has ended. Admission is bounded by this worker's share of the job's
 * {@code max_in_flight}, so memory stays bounded whatever the input size.
 *
 * <p>Input: a document, and the local stage's row when the local model was not confident enough
 * (null otherwise).
 */
final class AskModelFn extends DoFn<KV<Document, LabelledRecord>, LabelledRecord> {
  private final JobSpec job;
  private final PriceSchedule prices;
  private final int workers;
  private final String runId;
  private final boolean countProgress;
  private final Clock clock;
  // --- off-peak scheduling (issue 5.4): null unless the job runs --when off-peak ---
  private final OffPeakPolicy offPeak;
  private transient OffPeakGate gate;
  // --- end off-peak scheduling ---

  private transient ChatClients.Lease lease;
  private transient OpenAiBackend backend;
  private transient JobProgress.Tracker progress;
  private transient LinkedBlockingQueue<Done> done;
  private transient List<Done> held;
  private transient int pending;
  private transient int admission;

  /** A finished call, and where its row must be emitted. */
  private record Done(LabelledRecord row, Throwable error, Instant timestamp, BoundedWindow window) {}

  /**
   * @param countProgress whether this step reports records done (it does unless an earlier step counted them)
   */
  AskModelFn(JobSpec job, PriceSchedule prices, int workers, String runId, boolean countProgress, Clock clock) {
    this(job, prices, workers, runId, countProgress, clock, null);
  }

  /** @param offPeak when set, every new request waits for an off-peak window (see {@link OffPeakGate}) */
  AskModelFn(
      JobSpec job, PriceSchedule prices, int workers, String runId, boolean countProgress, Clock clock, OffPeakPolicy offPeak) {
    this.job = job;
    this.prices = prices;
    this.workers = workers;
    this.runId = runId;
    this.countProgress = countProgress;
    this.clock = clock;
    this.offPeak = offPeak;
  }

  @Setup
  public void setup() {
    int share = ChatClients.share(job.openai(), workers);
    lease = ChatClients.acquire(job.openai(), share, clock, runId);
    backend = new OpenAiBackend(job, prices, lease.client());
    progress = JobProgress.tracker(runId);
    admission = share;
    gate = offPeak == null ? null : offPeak.gate(); // off-peak scheduling
  }

  @StartBundle
  public void startBundle() {
    done = new LinkedBlockingQueue<>();
    held = new ArrayList<>();
    pending = 0;
  }

  @ProcessElement
  public void process(@Element KV<Document, LabelledRecord> element, ProcessContext context, BoundedWindow window)
      throws InterruptedException {
    for (Done finished = done.poll(); finished != null; finished = done.poll()) {
      emitOrHold(finished, context, window);
    }
    while (pending >= admission) {
      emitOrHold(done.take(), context, window);
    }
    // Off-peak scheduling: a new request waits for an off-peak window. Calls already in flight
    // go on and are emitted later; nothing is dropped or sent twice.
    if (gate != null) {
      gate.awaitOpen();
    }
    Instant timestamp = context.timestamp();
    pending++;
    backend
        .label(element.getKey(), element.getValue())
        .whenComplete((row, error) -> done.add(new Done(row, error, timestamp, window)));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    while (pending > 0) {
      Done finished = done.take();
      pending--;
      check(finished);
      held.add(finished);
    }
    for (Done finished : held) {
      context.output(finished.row(), finished.timestamp(), finished.window());
    }
    held.clear();
  }

  /** Emits now when the row belongs to the current window; rows of other windows wait for the bundle's end. */
  private void emitOrHold(Done finished, ProcessContext context, BoundedWindow window) {
    pending--;
    check(finished);
    if (finished.window().equals(window)) {
      context.output(finished.row());
    } else {
      held.add(finished);
    }
  }

  private void check(Done finished) {
    if (finished.error() != null) {
      Throwable cause = finished.error();
      while (cause.getCause() != null && !(cause instanceof EndpointAuthException)) {
        cause = cause.getCause();
      }
      if (cause instanceof EndpointAuthException auth) {
        throw new EndpointAuthException(auth.getMessage());
      }
      throw new IllegalStateException("labelling failed: " + cause, cause);
    }
    if (countProgress) {
      progress.add(1);
    }
  }

  @Teardown
  public void teardown() {
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
