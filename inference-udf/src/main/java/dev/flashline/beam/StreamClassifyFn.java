package dev.flashline.beam;

import dev.flashline.backend.local.Embedding;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.Prediction;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.cost.CpuClock;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Classifies a stream one record at a time with the local model. A stream has no "whole input" to
 * adapt to, so the classifier is fitted on the examples and label descriptions alone, once per
 * JVM, when the worker starts; the first record the fitting worker classifies pays for the fit,
 * every record pays for its own embedding and scoring.
 */
final class StreamClassifyFn extends DoFn<Document, LabelledRecord> {
  /** One fitted classifier per job per JVM: fitting embeds every example. */
  private static final Map<JobSpec, FittedClassifier> FITTED = new ConcurrentHashMap<>();

  private final JobSpec job;
  private final String runId;
  private final LocalAnswers answers;
  private transient SharedEncoder.Lease encoder;
  private transient JobProgress.Tracker progress;
  private transient FittedClassifier classifier;
  /** CPU this instance spent fitting, billed to the next record it classifies. */
  private transient double unbilledFitSeconds;

  StreamClassifyFn(JobSpec job, String runId) {
    this.job = job;
    this.runId = runId;
    this.answers = new LocalAnswers(job);
  }

  @Setup
  public void setup() {
    encoder = SharedEncoder.acquire(LocalBackend.model(job));
    progress = JobProgress.tracker(runId);
    // Fitted before the first message arrives, so it does not wait for the fit.
    classifier = FITTED.get(job);
    if (classifier == null) {
      // Outside the map's lock: it takes seconds. Two instances may both fit at first; each
      // bills its own fit and one result is kept.
      long start = CpuClock.threadNanos();
      FittedClassifier fitted = new FittedClassifier(LocalBackend.fit(encoder.model(), job, java.util.List.of()), 0);
      unbilledFitSeconds = (CpuClock.threadNanos() - start) / 1e9;
      classifier = FITTED.computeIfAbsent(job, key -> fitted);
    }
  }

  @ProcessElement
  public void process(@Element Document document, MultiOutputReceiver out) {
    double fitSeconds = unbilledFitSeconds;
    unbilledFitSeconds = 0;
    long start = CpuClock.threadNanos();
    LabelledRecord row;
    try {
      Embedding embedding = encoder.model().embed(document.getText());
      Prediction prediction = classifier.classifier().predictAll(new float[][] {embedding.vector()})[0];
      double seconds = (CpuClock.threadNanos() - start) / 1e9 + fitSeconds;
      row = answers.row(document, prediction, embedding.tokens(), seconds);
      if (answers.escalates(prediction)) {
        out.get(ClassifyFn.ESCALATED).output(KV.of(document, row));
        return;
      }
    } catch (RuntimeException e) {
      row = LabelledRecords.failed(document.getId(), TaskType.classify, LocalBackend.NAME, job.local().model(),
          Documents.describe(document) + ": local model failed: " + e.getMessage());
    }
    out.get(ClassifyFn.ANSWERED).output(row);
    // Escalated records are counted by the stage that answers them.
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
