package dev.flashline.beam;

import dev.flashline.backend.local.EncoderModelSpec;
import dev.flashline.backend.local.Embedding;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.cost.CpuClock;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.LabelledRecords;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/** Embeds each document with the shared local encoder, timing the CPU it takes. */
final class EmbedFn extends DoFn<Document, EmbeddedDocument> {
  static final TupleTag<EmbeddedDocument> EMBEDDED = new TupleTag<>() {};
  static final TupleTag<LabelledRecord> FAILED = new TupleTag<>() {};

  private final EncoderModelSpec model;
  private final TaskType task;
  private final String runId;
  private transient SharedEncoder.Lease encoder;
  private transient JobProgress.Tracker progress;

  EmbedFn(EncoderModelSpec model, TaskType task, String runId) {
    this.model = model;
    this.task = task;
    this.runId = runId;
  }

  @Setup
  public void setup() {
    encoder = SharedEncoder.acquire(model);
    progress = JobProgress.tracker(runId);
  }

  @ProcessElement
  public void process(@Element Document document, MultiOutputReceiver out) {
    long start = CpuClock.threadNanos();
    try {
      Embedding embedding = encoder.model().embed(document.getText());
      double seconds = (CpuClock.threadNanos() - start) / 1e9;
      out.get(EMBEDDED)
          .output(new EmbeddedDocument(document, embedding.vector(), embedding.tokens(), embedding.truncated(), seconds));
    } catch (RuntimeException e) {
      out.get(FAILED)
          .output(
              LabelledRecords.failed(
                  document.getId(),
                  task,
                  LocalBackend.NAME,
                  model.name(),
                  Documents.describe(document) + ": local model failed: " + e.getMessage()));
    }
    progress.add(1);
  }

  @Teardown
  public void teardown() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}
