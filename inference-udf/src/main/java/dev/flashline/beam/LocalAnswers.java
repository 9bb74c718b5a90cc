package dev.flashline.beam;

import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.Prediction;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.ExampleTexts;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import dev.flashline.task.StageSpec;
import java.io.Serializable;

/**
 * The row a local classification makes, and whether, in a cascade, the record goes on to the
 * next stage: the same for the batch job and the stream.
 */
final class LocalAnswers implements Serializable {
  private final JobSpec job;
  private final ExampleTexts examples;
  /** The local stage of a cascade; null outside one. */
  private final StageSpec stage;

  LocalAnswers(JobSpec job) {
    this.job = job;
    this.examples = ExampleTexts.of(job);
    this.stage = job.isCascade() ? job.route().get(0) : null;
  }

  /** The row, billed {@code cpuSeconds} at the job's compute rate, marked with its stage in a cascade. */
  LabelledRecord row(Document document, Prediction prediction, int tokens, double cpuSeconds) {
    LabelledRecord.Builder row =
        LabelledRecords.selfHosted(document.getId(), TaskType.classify, LocalBackend.NAME, job.local().model(), cpuSeconds, job.compute())
            .setLabel(prediction.label())
            .setConfidence(prediction.confidence())
            .setInputTokens(tokens)
            .setGoldLabel(document.getGoldLabel())
            .setIsExample(examples.contains(document.getText()));
    return (stage == null ? row : LabelledRecords.atStage(row, stage.stage())).build();
  }

  /** Whether the next cascade stage must answer: the local model is below its stage's bar. */
  boolean escalates(Prediction prediction) {
    return stage != null && prediction.confidence() < stage.acceptConfidence();
  }
}
