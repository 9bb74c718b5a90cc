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
  /** Distinct failure messages kept as examples for the summary; the rows hold all of them. */
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
  /** Requests sent to model endpoints, retries and unbilled ones included. */
  public long attempts;
  /** Model requests the server reported usage for, so billed: charges with an attempt number. */
  public long billedRequests;
  /** Per cascade stage: records it answered, and what was spent at it. */
  public Map<String, StageTotals> stages = new TreeMap<>();
  /** Work per distinct price applied, keyed by {@link Spend#priceKey()}. */
  public Map<String, PriceTotals> prices = new TreeMap<>();
  /** Failed rows per reason code. */
  public Map<String, Long> failureReasons = new TreeMap<>();
  /** Records answered per label. */
  public Map<String, Long> labels = new TreeMap<>();
  /**
   * Per "backend/model": records it answered, and the work it did, so that a cascaded row's cost is
   * split across the models that did the work.
   */
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
  /** Rows whose answer another record paid for (a duplicate, or the result store). */
  public long reused;
  /** Primer requests billed, what they cost, and what their first waves' cache hits saved. */
  public long primers;
  public double primerCostUsd;
  public double primerSavedUsd;
  /** Per task name. */
  public Map<String, TaskTotals> tasks = new TreeMap<>();

  /** Per backend/model totals. */
  public static final class ModelTotals implements Serializable {
    /** Rows this model answered. */
    public long records;
    public double costUsd;
    public double computeSeconds;
    public long inputTokens;
    public long outputTokens;
    public long cacheHitTokens;
    public long cacheMissTokens;

    void add(Spend spend) {
      costUsd += spend.costUsd();
      computeSeconds += spend.computeSeconds();
      inputTokens += spend.inputTokens();
      outputTokens += spend.outputTokens();
      cacheHitTokens += spend.cacheHitTokens();
      cacheMissTokens += spend.cacheMissTokens();
    }

    void merge(ModelTotals other) {
      records += other.records;
      costUsd += other.costUsd;
      computeSeconds += other.computeSeconds;
      inputTokens += other.inputTokens;
      outputTokens += other.outputTokens;
      cacheHitTokens += other.cacheHitTokens;
      cacheMissTokens += other.cacheMissTokens;
    }
  }

  void add(LabelledRecord row) {
    records++;
    attempts += row.getAttempts();
    // The row's own cost, not its charges', so the total is exactly what the rows say.
    costUsd += row.getCostUsd();
    computeSeconds += row.getComputeSeconds();
    inputTokens += row.getInputTokens();
    outputTokens += row.getOutputTokens();
    cacheHitTokens += row.getCacheHitTokens();
    cacheMissTokens += row.getCacheMissTokens();
    reasoningTokens += row.getReasoningTokens();
    models.computeIfAbsent(row.getBackend() + "/" + row.getModel(), key -> new ModelTotals()).records++;
    addSpending(row);
    if (row.getReusedFrom() != null) {
      reused++;
    }
    if (row.getTaskName() != null) {
      tasks.computeIfAbsent(row.getTaskName(), key -> new TaskTotals()).add(row);
    }
    for (dev.flashline.schema.Charge charge : row.getCharges()) {
      if ("primer".equals(charge.getPurpose())) {
        // A primer is a billed request that belongs to no record (its attempt number is 0).
        billedRequests++;
        primers++;
        primerCostUsd += charge.getCostUsd();
        primerSavedUsd += charge.getSavedUsd();
      }
    }
    if (row.getStatus() == Status.failed) {
      failed++;
      failureReasons.merge(FailureReason.of(row.getError()), 1L, Long::sum);
      if (row.getGoldLabel() != null) {
        goldFailed++;
      }
      if (errorSamples.size() < ERROR_SAMPLES && row.getError() != null && !errorSamples.contains(row.getError())) {
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

  private void addSpending(LabelledRecord row) {
    for (Spend spend : Spend.of(row)) {
      if (spend.attempt() > 0) {
        billedRequests++;
      }
      models.computeIfAbsent(spend.modelKey(), key -> new ModelTotals()).add(spend);
      prices.computeIfAbsent(spend.priceKey(), key -> PriceTotals.of(spend)).add(spend);
      if (spend.stage() != null) {
        StageTotals stage = stages.computeIfAbsent(spend.stage(), key -> new StageTotals());
        stage.spendUsd += spend.costUsd();
        stage.requests++;
      }
    }
    String answeredBy = row.getStage();
    if (answeredBy != null) {
      StageTotals stage = stages.computeIfAbsent(answeredBy, key -> new StageTotals());
      stage.answered++;
      if (row.getStatus() == Status.failed) {
        stage.failed++;
      } else {
        stage.ok++;
      }
      stage.answeredCostUsd += row.getCostUsd();
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
    attempts += other.attempts;
    billedRequests += other.billedRequests;
    reused += other.reused;
    primers += other.primers;
    primerCostUsd += other.primerCostUsd;
    primerSavedUsd += other.primerSavedUsd;
    other.tasks.forEach((key, totals) -> tasks.computeIfAbsent(key, k -> new TaskTotals()).merge(totals));
    other.stages.forEach((key, totals) -> stages.computeIfAbsent(key, k -> new StageTotals()).merge(totals));
    other.prices.forEach(
        (key, totals) -> {
          PriceTotals mine = prices.get(key);
          if (mine == null) {
            prices.put(key, totals.copy());
          } else {
            mine.merge(totals);
          }
        });
    other.failureReasons.forEach((reason, count) -> failureReasons.merge(reason, count, Long::sum));
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
      if (errorSamples.size() < ERROR_SAMPLES && !errorSamples.contains(error)) {
        errorSamples.add(error);
      }
    }
  }
}
