package dev.flashline.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The short summary a job prints when it ends. */
public final class SummaryPrinter {
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
    if (quality != null) {
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
    out.printf(
        Locale.ROOT,
        "  cost      $%.6f total · $%.6f per 1,000 records · %.1f CPU-seconds at $%.3f per CPU-hour%n",
        report.costUsd(),
        report.costPer1000RecordsUsd(),
        report.computeSeconds(),
        report.pricing().usdPerCpuHour());
    out.printf(
        Locale.ROOT,
        "  time      %.1f s wall · %.1f records/s%n",
        report.wallSeconds(),
        report.recordsPerSecond());
    if (report.errorSamples() != null) {
      out.println("  errors    (first " + report.errorSamples().size() + ")");
      report.errorSamples().forEach(error -> out.println("            " + error));
    }
    out.println("  output    " + report.output());
    out.flush();
  }
}
