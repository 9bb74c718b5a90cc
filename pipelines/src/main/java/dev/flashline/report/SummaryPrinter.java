package dev.flashline.report;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The short summary a job prints when it ends. */
public final class SummaryPrinter {
  private static final String CONTINUED = "            ";

  private SummaryPrinter() {}

  public static void print(CostReport report, PrintWriter out) {
    out.printf(Locale.ROOT, "flashline: job '%s' (%s) on %s%n", report.job(), report.task(), report.runner());
    out.printf(Locale.ROOT, "  records   %,d   ok %,d   failed %,d%n", report.records(), report.ok(), report.failed());
    if (report.labels() != null) {
      out.println(
          "  labels    "
              + report.labels().entrySet().stream()
                  .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                  .collect(Collectors.joining(" · ")));
    }
    if (report.classifier() != null && report.classifier().estimatedClassBalance() != null) {
      out.println(
          "  balance   estimated on "
              + report.classifier().adaptationSample()
              + " records: "
              + report.classifier().estimatedClassBalance().entrySet().stream()
                  .map(e -> String.format(Locale.ROOT, "%s %.1f%%", e.getKey(), 100 * e.getValue()))
                  .collect(Collectors.joining(" · ")));
    }
    Quality quality = report.quality();
    if (quality != null && quality.evaluated() == 0) {
      out.println("  quality   no record with a gold '" + quality.goldField() + "' was labelled, so there is nothing to judge");
    } else if (quality != null) {
      out.printf(
          Locale.ROOT,
          "  quality   accuracy %.3f over %,d records with a gold '%s' (%,d examples and %,d failed left out)%n",
          quality.accuracy(),
          quality.evaluated(),
          quality.goldField(),
          quality.excludedExamples(),
          quality.excludedFailed());
      for (Map.Entry<String, Quality.LabelQuality> label : quality.perLabel().entrySet()) {
        Quality.LabelQuality q = label.getValue();
        out.printf(
            Locale.ROOT,
            "            %-12s precision %.3f  recall %.3f  f1 %.3f  (%,d true, %,d predicted)%n",
            label.getKey(),
            q.precision(),
            q.recall(),
            q.f1(),
            q.support(),
            q.predicted());
      }
      out.printf(Locale.ROOT, "            confidence calibration error %.3f%n", quality.expectedCalibrationError());
    }
    if (hasApiCharges(report)) {
      printApiCost(report, out);
    } else {
      out.printf(
          Locale.ROOT,
          "  cost      $%.6f total · $%.6f per 1,000 records · %.1f CPU-seconds%s%n",
          report.costUsd(),
          report.costPer1000RecordsUsd(),
          report.computeSeconds(),
          cpuRate(report));
    }
    out.printf(
        Locale.ROOT,
        "  time      %.1f s wall · %.1f records/s%n",
        report.wallSeconds(),
        report.recordsPerSecond());
    if (report.errorSamples() != null) {
      out.println("  errors    (first " + report.errorSamples().size() + " distinct)");
      report.errorSamples().forEach(error -> out.println("            " + error));
    }
    out.println("  output    " + report.output());
    out.flush();
  }

  /** Model requests were billed, so the summary says what was bought at which price. */
  static boolean hasApiCharges(CostReport report) {
    return report.billedRequests() > 0
        || (report.pricesApplied() != null
            && report.pricesApplied().stream().anyMatch(price -> !"local".equals(price.backend())));
  }

  private static void printApiCost(CostReport report, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "  cost      $%.6f total · $%.6f per 1,000 records · %,d billed requests of %,d sent%s%n",
        report.costUsd(),
        report.costPer1000RecordsUsd(),
        report.billedRequests(),
        report.attempts(),
        report.computeSeconds() > 0
            ? String.format(Locale.ROOT, " · %.1f CPU-seconds%s", report.computeSeconds(), cpuRate(report))
            : "");
    CostReport.Tokens tokens = report.tokens();
    if (tokens != null) {
      out.printf(
          Locale.ROOT,
          "  tokens    cache hit %,d · cache miss %,d · output %,d (reasoning %,d) · cache-hit ratio %.1f%%%n",
          tokens.cacheHit(),
          tokens.cacheMiss(),
          tokens.output(),
          tokens.reasoning(),
          100 * tokens.cacheHitRatio());
    }
    printTiers(report, out);
    String heading = "  prices    ";
    for (CostReport.PriceApplied price : report.pricesApplied() == null ? List.<CostReport.PriceApplied>of() : report.pricesApplied()) {
      out.println(heading + priceLine(price));
      heading = CONTINUED;
    }
    heading = "  stages    ";
    for (CostReport.StageCost stage : report.stages() == null ? List.<CostReport.StageCost>of() : report.stages()) {
      out.printf(
          Locale.ROOT,
          "%s%-8s answered %,d (ok %,d, failed %,d) costing $%.6f · $%.6f spent at this stage on %,d requests%n",
          heading,
          stage.stage(),
          stage.recordsAnswered(),
          stage.ok(),
          stage.failed(),
          stage.costUsdOfAnsweredRecords(),
          stage.spendUsdAtStage(),
          stage.requestsAtStage());
      heading = CONTINUED;
    }
    printSavings(report, out);
    if (report.failureReasons() != null && !report.failureReasons().isEmpty()) {
      out.println(
          "  failures  "
              + report.failureReasons().entrySet().stream()
                  .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                  .collect(Collectors.joining(" · ")));
    }
  }

  private static void printSavings(CostReport report, PrintWriter out) {
    CostReport.Savings savings = report.savings();
    if (savings == null) {
      return;
    }
    if (savings.reusedRecords() > 0 || savings.primers() > 0) {
      out.printf(
          Locale.ROOT,
          "  savings   %,d records reused another's answer at no cost · %,d primers cost $%.6f and saved about $%.6f%n",
          savings.reusedRecords(), savings.primers(), savings.primerCostUsd(), savings.primerSavedUsd());
    }
    if (savings.maxCostUsd() != null) {
      out.printf(
          Locale.ROOT,
          "  budget    cap $%.6f · spent $%.6f%s%n",
          savings.maxCostUsd(), report.costUsd(),
          savings.stoppedByBudget() > 0
              ? String.format(Locale.ROOT, " · reached: %,d records not sent (failed with reason budget)", savings.stoppedByBudget())
              : " · not reached");
    }
    if (report.tasks() != null) {
      String heading = "  tasks     ";
      for (Map.Entry<String, CostReport.TaskReport> task : report.tasks().entrySet()) {
        CostReport.TaskReport t = task.getValue();
        out.printf(Locale.ROOT, "%s%-12s %,d records (ok %,d, failed %,d, reused %,d) · $%.6f · cache-hit %.1f%%%s%n",
            heading, task.getKey(), t.records(), t.ok(), t.failed(), t.reusedRecords(), t.costUsd(), 100 * t.cacheHitRatio(),
            t.accuracy() == null ? "" : String.format(Locale.ROOT, " · accuracy %.3f over %,d", t.accuracy(), t.judged()));
        heading = CONTINUED;
      }
    }
  }

  /** Spend per tier, and the peak comparison when some work was billed off-peak. */
  private static void printTiers(CostReport report, PrintWriter out) {
    if (report.spendByTier() == null || report.spendByTier().isEmpty()) {
      return;
    }
    out.println(
        "  tiers     "
            + report.spendByTier().stream()
                .map(t -> String.format(Locale.ROOT, "%s $%.6f (%,d requests, %,d tokens)", t.tier(), t.costUsd(), t.requests(),
                    t.cacheHitTokens() + t.cacheMissTokens() + t.outputTokens()))
                .collect(Collectors.joining(" · ")));
    boolean offPeak = report.spendByTier().stream().anyMatch(t -> "off_peak".equals(t.tier()) && t.requests() > 0);
    if (offPeak && report.costAtPeakUsd() != null) {
      out.printf(
          Locale.ROOT,
          "            at peak prices the same work would have cost $%.6f (saved $%.6f)%n",
          report.costAtPeakUsd(),
          report.costAtPeakUsd() - report.costUsd());
    } else if (offPeak) {
      out.println("            cost at peak prices unknown: the off-peak work was priced by a schedule entry these prices lack");
    }
  }

  private static String priceLine(CostReport.PriceApplied price) {
    StringBuilder line =
        new StringBuilder(String.format(Locale.ROOT, "%s/%s %s %s:", price.backend(), price.model(), price.priceTier(), price.priceSchedule()));
    if (price.usdPerMillionCacheHit() != null
        && (price.usdPerMillionCacheHit() > 0 || price.usdPerMillionCacheMiss() > 0 || price.usdPerMillionOutput() > 0)) {
      line.append(
          String.format(
              Locale.ROOT,
              " $%s hit · $%s miss · $%s output per M tokens ·",
              plain(price.usdPerMillionCacheHit()),
              plain(price.usdPerMillionCacheMiss()),
              plain(price.usdPerMillionOutput())));
    }
    if (price.computeSeconds() > 0) {
      line.append(String.format(Locale.ROOT, " %.1f CPU-seconds ·", price.computeSeconds()));
    }
    return line.append(String.format(Locale.ROOT, " %,d requests · $%.6f", price.requests(), price.costUsd())).toString();
  }

  // Unit prices as written in the schedule, not rounded to a fixed number of places.
  private static String plain(Double usd) {
    return usd == null ? "?" : BigDecimal.valueOf(usd).stripTrailingZeros().toPlainString();
  }

  private static String cpuRate(CostReport report) {
    return report.pricing() == null
        ? ""
        : String.format(Locale.ROOT, " at $%.3f per CPU-hour", report.pricing().usdPerCpuHour());
  }
}
