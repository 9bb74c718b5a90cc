package dev.flashline.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flashline.backend.local.FewShotClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The job's {@code cost-report.json}: what it did, what it cost, how long it took, how good it was. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CostReport(
    String job,
    String task,
    String runner,
    String input,
    int inputFiles,
    String output,
    long records,
    long ok,
    long failed,
    long attempts,
    long billedRequests,
    double costUsd,
    double costPer1000RecordsUsd,
    double wallSeconds,
    double recordsPerSecond,
    double computeSeconds,
    Pricing pricing,
    Tokens tokens,
    Map<String, Long> labels,
    List<ModelCost> byModel,
    List<StageCost> stages,
    List<PriceApplied> pricesApplied,
    Classifier classifier,
    Quality quality,
    Map<String, Long> failureReasons,
    List<String> errorSamples,
    Savings savings,
    Map<String, TaskReport> tasks,
    List<TierSpend> spendByTier,
    Double costAtPeakUsd) {

  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What the cost controls did (docs/cost-controls.md).
   *
   * @param reusedRecords rows answered by another record's paid answer (duplicates, result store)
   * @param primers requests sent only to warm a prompt prefix
   * @param primerSavedUsd what the cache hits of the requests sent right after each primer saved
   *     against the miss price; an estimate of what priming bought, to set against its cost
   * @param maxCostUsd the cap the job ran under, null when none
   * @param stoppedByBudget records not sent because the cap was reached
   */
  public record Savings(
      long reusedRecords, long primers, double primerCostUsd, double primerSavedUsd, Double maxCostUsd, long stoppedByBudget) {}

  /** One task of a job of several. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TaskReport(long records, long ok, long failed, long reusedRecords, double costUsd, double cacheHitRatio, Double accuracy, long judged) {}

  /** The rate self-hosted compute was billed at; null in reports that do not say. */
  public record Pricing(double usdPerCpuHour, String priceSchedule) {}

  public record Tokens(long input, long output, long cacheHit, long cacheMiss, long reasoning, double cacheHitRatio) {}

  /**
   * @param records rows this model answered
   * @param costUsd what this model's work cost, over every row it worked on, answered or passed on
   */
  public record ModelCost(
      String backend,
      String model,
      long records,
      double costUsd,
      double computeSeconds,
      long inputTokens,
      long outputTokens,
      long cacheHitTokens,
      long cacheMissTokens) {}

  /**
   * One cascade stage.
   *
   * @param costUsdOfAnsweredRecords the whole cost of the records it answered, earlier stages included
   * @param spendUsdAtStage the cost of the work done at this stage, records escalated past it included
   * @param requestsAtStage charges at this stage: billed model requests, or one per record for self-hosted work
   */
  public record StageCost(
      String stage,
      long recordsAnswered,
      long ok,
      long failed,
      double costUsdOfAnsweredRecords,
      double spendUsdAtStage,
      long requestsAtStage) {}

  /**
   * The work billed at one price. Unit prices are null for rows written before rows carried charges.
   *
   * @param requests charges billed at this price
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PriceApplied(
      String backend,
      String model,
      String priceTier,
      String priceSchedule,
      Double usdPerMillionCacheHit,
      Double usdPerMillionCacheMiss,
      Double usdPerMillionOutput,
      long requests,
      long cacheHitTokens,
      long cacheMissTokens,
      long outputTokens,
      long reasoningTokens,
      double computeSeconds,
      double costUsd) {}

  /**
   * The work billed in one price tier: {@code peak}, {@code off_peak} or {@code standard} (one
   * price all day, self-hosted compute included).
   *
   * @param requests charges billed in this tier
   */
  public record TierSpend(String tier, long requests, long cacheHitTokens, long cacheMissTokens, long outputTokens, double costUsd) {}

  /**
   * How the local few-shot classifier was fitted.
   *
   * @param estimatedClassBalance share of each label estimated on the adaptation sample
   */
  public record Classifier(
      boolean calibrated,
      int examples,
      int adaptationSample,
      int selfTrainingPrototypes,
      double softmaxScale,
      Map<String, Double> exampleClassBalance,
      Map<String, Double> estimatedClassBalance) {

    public static Classifier of(FewShotClassifier.FitReport report, List<String> labels) {
      return new Classifier(
          report.calibrated(),
          report.examples(),
          report.sampleSize(),
          report.selfTrainingPrototypes(),
          report.scale(),
          byLabel(labels, report.examplePrior()),
          byLabel(labels, report.dataPrior()));
    }

    private static Map<String, Double> byLabel(List<String> labels, double[] values) {
      if (values == null) {
        return null;
      }
      Map<String, Double> out = new LinkedHashMap<>();
      for (int k = 0; k < labels.size(); k++) {
        out.put(labels.get(k), values[k]);
      }
      return out;
    }
  }

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public static CostReport read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), CostReport.class);
  }
}
