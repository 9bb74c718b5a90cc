package dev.flashline.beam;

import dev.flashline.backend.engine.NativeBackend;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import dev.flashline.task.StageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Answers documents with the native engine of this JVM. Records are submitted as they arrive and
 * waited for in groups, so the engine, shared by every worker thread of the JVM, batches many of
 * them in each step and computes the job's shared prompt prefix once.
 *
 * <p>In a cascade that starts with the native model, the records it is not confident enough about
 * go on to the next stage ({@link ClassifyFn#ESCALATED}) with its row so far; the rest are final
 * ({@link ClassifyFn#ANSWERED}). A record the engine cannot answer gets a failed row naming it,
 * and never stops the others.
 */
final class NativeAnswerFn extends DoFn<Document, LabelledRecord> {
  /** Records in flight per worker before it waits for them: enough to keep the engine's batch full. */
  static final int IN_FLIGHT = 128;

  private final JobSpec job;
  private final String runId;
  /** The native stage of a cascade; null outside one. */
  private final StageSpec stage;

  private transient NativeBackend backend;
  private transient JobProgress.Tracker progress;
  private transient List<Pending> pending;

  private record Pending(Document document, CompletableFuture<LabelledRecord> row, Instant timestamp, BoundedWindow window) {}

  NativeAnswerFn(JobSpec job, String runId) {
    this.job = job;
    this.runId = runId;
    this.stage = job.isCascade() ? job.route().get(0) : null;
  }

  @Setup
  public void setup() {
    backend = NativeBackend.open(job);
    progress = JobProgress.tracker(runId);
  }

  @StartBundle
  public void startBundle() {
    pending = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element Document document, ProcessContext context, BoundedWindow window) {
    pending.add(new Pending(document, backend.answer(document, null), context.timestamp(), window));
    if (pending.size() >= IN_FLIGHT) {
      drain(new Emitter() {
        @Override
        public <T> void emit(TupleTag<T> tag, T value, Pending p) {
          context.output(tag, value);
        }
      });
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    drain(new Emitter() {
      @Override
      public <T> void emit(TupleTag<T> tag, T value, Pending p) {
        context.output(tag, value, p.timestamp(), p.window());
      }
    });
  }

  private interface Emitter {
    <T> void emit(TupleTag<T> tag, T value, Pending pending);
  }

  private void drain(Emitter emitter) {
    for (Pending p : pending) {
      LabelledRecord row;
      try {
        row = p.row().join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        row = LabelledRecords.failed(
            p.document().getId(), job.task(),
            NativeBackend.NAME, backend.model(),
            Documents.describe(p.document()) + ": the native engine could not answer: " + cause.getMessage());
      }
      if (stage == null) {
        emitter.emit(ClassifyFn.ANSWERED, row, p);
      } else {
        row = LabelledRecords.atStage(LabelledRecord.newBuilder(row), stage.stage()).build();
        if (row.getStatus() != Status.ok || row.getConfidence() < stage.acceptConfidence()) {
          emitter.emit(ClassifyFn.ESCALATED, KV.of(p.document(), row), p);
        } else {
          emitter.emit(ClassifyFn.ANSWERED, row, p);
        }
      }
      progress.add(1);
    }
    pending.clear();
  }

  @Teardown
  public void teardown() {
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }
}
