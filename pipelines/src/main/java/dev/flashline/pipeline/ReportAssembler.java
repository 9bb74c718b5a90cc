package dev.flashline.pipeline;

import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.cost.ComputeCost;
import dev.flashline.io.InputFiles;
import dev.flashline.report.CostReport;
import dev.flashline.report.JobTotals;
import dev.flashline.report.PeakComparison;
import dev.flashline.report.PriceTotals;
import dev.flashline.report.StageTotals;
import dev.flashline.report.Quality;
import dev.flashline.task.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns the workers' totals and the launcher's clock into the cost report. */
final class ReportAssembler {
  private ReportAssembler() {}

  static CostReport assemble(
      LabelRequest request, InputFiles input, JobTotals totals, FewShotClassifier.FitReport fit, double wallSeconds) {
    JobSpec job = request.job();
    List<CostReport.ModelCost> byModel = new ArrayList<>();
    for (Map.Entry<String, JobTotals.ModelTotals> entry : totals.models.entrySet()) {
      String[] key = entry.getKey().split("/", 2);
      JobTotals.ModelTotals m = entry.getValue();
      byModel.add(
          new CostReport.ModelCost(
              key[0], key[1], m.records, m.costUsd, m.computeSeconds, m.inputTokens, m.outputTokens, m.cacheHitTokens, m.cacheMissTokens));
    }
    List<CostReport.StageCost> stages = new ArrayList<>();
    // In the job's cascade order, every stage listed even when it answered nothing.
    java.util.LinkedHashSet<String> stageNames = new java.util.LinkedHashSet<>();
    if (job.isCascade()) {
      job.route().forEach(stage -> stageNames.add(stage.stage()));
    }
    stageNames.addAll(new java.util.TreeSet<>(totals.stages.keySet()));
    for (String name : stageNames) {
      StageTotals s = totals.stages.getOrDefault(name, new StageTotals());
      stages.add(new CostReport.StageCost(name, s.answered, s.ok, s.failed, s.answeredCostUsd, s.spendUsd, s.requests));
    }
    List<CostReport.PriceApplied> prices = new ArrayList<>();
    for (PriceTotals p : totals.prices.values()) {
      prices.add(
          new CostReport.PriceApplied(
              p.backend,
              p.model,
              p.priceTier,
              p.priceSchedule,
              p.usdPerMillionCacheHit,
              p.usdPerMillionCacheMiss,
              p.usdPerMillionOutput,
              p.requests,
              p.cacheHitTokens,
              p.cacheMissTokens,
              p.outputTokens,
              p.reasoningTokens,
              p.computeSeconds,
              p.costUsd));
    }
    long prompt = totals.cacheHitTokens + totals.cacheMissTokens;
    CostReport.Tokens tokens =
        new CostReport.Tokens(
            totals.inputTokens,
            totals.outputTokens,
            totals.cacheHitTokens,
            totals.cacheMissTokens,
            totals.reasoningTokens,
            prompt == 0 ? 0 : (double) totals.cacheHitTokens / prompt);
    Quality quality = job.goldField() == null ? null : Quality.of(job.goldField(), totals, job.labelNames());
    return new CostReport(
        job.name(),
        job.taskLabel(),
        request.runner().displayName(),
        request.input().toAbsolutePath().normalize().toString(),
        input.paths().size(),
        request.output().toAbsolutePath().toString(),
        totals.records,
        totals.ok,
        totals.failed,
        totals.attempts,
        totals.billedRequests,
        totals.costUsd,
        totals.records == 0 ? 0 : totals.costUsd * 1000.0 / totals.records,
        wallSeconds,
        wallSeconds > 0 ? totals.records / wallSeconds : 0,
        totals.computeSeconds,
        job.compute() == null ? null : new CostReport.Pricing(job.compute().usdPerCpuHour(), ComputeCost.scheduleId(job.compute())),
        tokens,
        totals.labels.isEmpty() ? null : totals.labels,
        byModel,
        stages.isEmpty() ? null : stages,
        prices,
        fit == null ? null : CostReport.Classifier.of(fit, job.labelNames()),
        quality,
        totals.failureReasons.isEmpty() ? null : new TreeMap<>(totals.failureReasons),
        totals.errorSamples.isEmpty() ? null : totals.errorSamples,
        new CostReport.Savings(
            totals.reused, totals.primers, totals.primerCostUsd, totals.primerSavedUsd, job.cost().maxCostUsd(),
            totals.failureReasons.getOrDefault("budget", 0L)),
        tasks(totals),
        PeakComparison.byTier(totals.prices.values()),
        PeakComparison.costAtPeakUsd(totals.prices.values(), request.prices()));
  }

  private static java.util.Map<String, CostReport.TaskReport> tasks(JobTotals totals) {
    if (totals.tasks.size() < 2) {
      return null;
    }
    java.util.Map<String, CostReport.TaskReport> out = new java.util.TreeMap<>();
    totals.tasks.forEach((name, t) -> {
      long prompt = t.cacheHitTokens + t.cacheMissTokens;
      out.put(name, new CostReport.TaskReport(
          t.records, t.ok, t.failed, t.reused, t.costUsd, prompt == 0 ? 0 : (double) t.cacheHitTokens / prompt,
          t.judged == 0 ? null : (double) t.correct / t.judged, t.judged));
    });
    return out;
  }
}
