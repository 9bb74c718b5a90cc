package dev.flashline.beam;

import dev.flashline.backend.local.ExtractiveSummariser;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.cost.CpuClock;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import org.apache.beam.sdk.transforms.DoFn;

/** Extractive summaries with the shared local encoder; each record pays the CPU it used. */
final class SummariseFn extends DoFn<Document, LabelledRecord> {
  private final JobSpec job;
  private final String runId;
  private transient SharedEncoder.Lease encoder;
  private transient JobProgress.Tracker progress;

  SummariseFn(JobSpec job, String runId) {
    this.job = job;
    this.runId = runId;
  }

  @Setup
  public void setup() {
    encoder = SharedEncoder.acquire(LocalBackend.model(job));
    progress = JobProgress.tracker(runId);
  }

  @ProcessElement
  public void process(@Element Document document, OutputReceiver<LabelledRecord> out) {
    long start = CpuClock.threadNanos();
    try {
      ExtractiveSummariser.Summary summary =
          ExtractiveSummariser.summarise(encoder.model(), document.getText(), job.summary());
      double seconds = (CpuClock.threadNanos() - start) / 1e9;
      out.output(
          LabelledRecords.selfHosted(
                  document.getId(), TaskType.summarise, LocalBackend.NAME, job.local().model(), seconds, job.compute())
              .setSummary(summary.text())
              .setInputTokens(summary.tokens())
              .build());
    } catch (RuntimeException e) {
      out.output(
          LabelledRecords.failed(
              document.getId(),
              TaskType.summarise,
              LocalBackend.NAME,
              job.local().model(),
              Documents.describe(document) + ": cannot summarise: " + e.getMessage()));
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
