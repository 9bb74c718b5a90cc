package dev.flashline.report;

import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Totals over a job's output rows, accumulated on the workers (see {@link TotalsFn}) and turned
 * into the cost report by the launcher. Public fields so it travels as JSON unchanged.
 */
public final class JobTotals implements Serializable {
  /** Failure messages kept as examples for the summary; the rows hold all of them. */
  static final int ERROR_SAMPLES = 10;

  static final int CALIBRATION_BINS = 10;

  public long records;
  public long ok;
  public long failed;
  public double costUsd;
  public double computeSeconds;
  public long inputTokens;
  public long outputTokens;
  public long cacheHitTokens;
  public long cacheMissTokens;
  public long reasoningTokens;
  /** Records answered per label. */
  public Map<String, Long> labels = new TreeMap<>();
  /** Records and cost per "backend/model". */
  public Map<String, ModelTotals> models = new TreeMap<>();
  /** gold label -> predicted label -> records, over ok records with a gold label that are not examples. */
  public Map<String, Map<String, Long>> confusion = new TreeMap<>();
  /** Records with a gold label left out of quality figures because their text is a few-shot example. */
  public long goldExamples;
  /** Records with a gold label that failed, so have no prediction to judge. */
  public long goldFailed;
  /** Reliability of the confidence over the judged records: per tenth of confidence, count/correct/sum. */
  public long[] binCount = new long[CALIBRATION_BINS];
  public long[] binCorrect = new long[CALIBRATION_BINS];
  public double[] binConfidence = new double[CALIBRATION_BINS];
  public List<String> errorSamples = new ArrayList<>();

  /** Per backend/model totals. */
  public static final class ModelTotals implements Serializable {
    public long records;
    public double costUsd;
    public double computeSeconds;
    public long inputTokens;
    public long outputTokens;

    void merge(ModelTotals other) {
      records += other.records;
      costUsd += other.costUsd;
      computeSeconds += other.computeSeconds;
      inputTokens += other.inputTokens;
      outputTokens += other.outputTokens;
    }
  }

  void add(LabelledRecord row) {
    records++;
    costUsd += row.getCostUsd();
    computeSeconds += row.getComputeSeconds();
    inputTokens += row.getInputTokens();
    outputTokens += row.getOutputTokens();
    cacheHitTokens += row.getCacheHitTokens();
    cacheMissTokens += row.getCacheMissTokens();
    reasoningTokens += row.getReasoningTokens();
    ModelTotals model = models.computeIfAbsent(row.getBackend() + "/" + row.getModel(), key -> new ModelTotals());
    model.records++;
    model.costUsd += row.getCostUsd();
    model.computeSeconds += row.getComputeSeconds();
    model.inputTokens += row.getInputTokens();
    model.outputTokens += row.getOutputTokens();
    if (row.getStatus() == Status.failed) {
      failed++;
      if (row.getGoldLabel() != null) {
        goldFailed++;
      }
      if (errorSamples.size() < ERROR_SAMPLES && row.getError() != null) {
        errorSamples.add(row.getError());
      }
      return;
    }
    ok++;
    if (row.getLabel() != null) {
      labels.merge(row.getLabel(), 1L, Long::sum);
    }
    if (row.getGoldLabel() == null || row.getLabel() == null) {
      return;
    }
    if (row.getIsExample()) {
      goldExamples++;
      return;
    }
    confusion.computeIfAbsent(row.getGoldLabel(), key -> new TreeMap<>()).merge(row.getLabel(), 1L, Long::sum);
    if (row.getConfidence() != null) {
      double confidence = row.getConfidence();
      int bin = Math.min(CALIBRATION_BINS - 1, (int) (confidence * CALIBRATION_BINS));
      binCount[bin]++;
      binConfidence[bin] += confidence;
      if (row.getGoldLabel().equals(row.getLabel())) {
        binCorrect[bin]++;
      }
    }
  }

  void merge(JobTotals other) {
    records += other.records;
    ok += other.ok;
    failed += other.failed;
    costUsd += other.costUsd;
    computeSeconds += other.computeSeconds;
    inputTokens += other.inputTokens;
    outputTokens += other.outputTokens;
    cacheHitTokens += other.cacheHitTokens;
    cacheMissTokens += other.cacheMissTokens;
    reasoningTokens += other.reasoningTokens;
    other.labels.forEach((label, count) -> labels.merge(label, count, Long::sum));
    other.models.forEach((key, totals) -> models.computeIfAbsent(key, k -> new ModelTotals()).merge(totals));
    other.confusion.forEach(
        (gold, row) -> row.forEach((predicted, count) -> confusion.computeIfAbsent(gold, k -> new TreeMap<>()).merge(predicted, count, Long::sum)));
    goldExamples += other.goldExamples;
    goldFailed += other.goldFailed;
    for (int bin = 0; bin < CALIBRATION_BINS; bin++) {
      binCount[bin] += other.binCount[bin];
      binCorrect[bin] += other.binCorrect[bin];
      binConfidence[bin] += other.binConfidence[bin];
    }
    for (String error : other.errorSamples) {
      if (errorSamples.size() < ERROR_SAMPLES) {
        errorSamples.add(error);
      }
    }
  }
}
