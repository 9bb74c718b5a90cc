package dev.flashline.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class SummaryPrinterTest {
  private static String print(CostReport report) {
    StringWriter out = new StringWriter();
    SummaryPrinter.print(report, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void cascadeShowsTokensPricesStagesAndFailureReasons() {
    String summary = print(Reports.cascade());

    assertThat(summary)
        .contains(
            "  records   1,000   ok 970   failed 30",
            "  cost      $0.081234 total · $0.081234 per 1,000 records · 398 billed requests of 412 sent · 5.0 CPU-seconds at $0.050 per CPU-hour",
            "  tokens    cache hit 150,000 · cache miss 70,000 · output 31,000 (reasoning 9,000) · cache-hit ratio 68.2%",
            "  prices    local/minilm standard cpu-hour@0.05usd: 5.0 CPU-seconds · 1,000 requests · $0.000069",
            "            openai/deepseek-chat peak ds-2025-01: $0.07 hit · $0.27 miss · $1.1 output per M tokens · 240 requests · $0.033600",
            "            openai/deepseek-chat off_peak ds-2025-01: $0.035 hit · $0.135 miss · $0.55 output per M tokens · 100 requests · $0.006060",
            "            openai/deepseek-reasoner peak ds-2025-02: $0.126 hit · $0.495 miss · $2.19 output per M tokens · 72 requests · $0.034200",
            "  stages    local    answered 600 (ok 600, failed 0) costing $0.000042 · $0.000069 spent at this stage on 1,000 requests",
            "            flash    answered 330 (ok 310, failed 20) costing $0.029000 · $0.031000 spent at this stage on 340 requests",
            "            pro      answered 70 (ok 60, failed 10) costing $0.052200 · $0.050165 spent at this stage on 72 requests",
            "  tiers     off_peak $0.006060 (100 requests, 56,000 tokens) · peak $0.067800 (312 requests, 195,000 tokens)"
                + " · standard $0.000069 (1,000 requests, 0 tokens)",
            "            at peak prices the same work would have cost $0.087294 (saved $0.006060)",
            "  failures  insufficient_balance 12 · invalid_output 18",
            "  time      12.5 s wall · 80.0 records/s");
    assertThat(summary.indexOf("  stages    local")).isLessThan(summary.indexOf("flash    answered")).isLessThan(summary.indexOf("pro      answered"));
  }

  @Test
  void localOnlyIsAsBefore() {
    String summary = print(Reports.localOnly());

    assertThat(summary)
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "flashline: job 'tiny-spam' (classify) on direct",
                "  records   8   ok 4   failed 4",
                "  labels    ham 3 · spam 1",
                "  cost      $0.000013 total · $0.001563 per 1,000 records · 0.9 CPU-seconds at $0.050 per CPU-hour",
                "  time      2.0 s wall · 4.0 records/s",
                "  errors    (first 1 distinct)",
                "            a.jsonl line 3: not valid JSON",
                "  output    /data/out",
                ""));
  }

  @Test
  void noPeakComparisonWithoutOffPeakWork() {
    String summary = print(Reports.localOnly());

    assertThat(summary).doesNotContain("tiers").doesNotContain("at peak prices");
  }

  @Test
  void noPricingStillPrints() {
    CostReport local = Reports.localOnly();
    CostReport withoutPricing =
        new CostReport(
            local.job(), local.task(), local.runner(), local.input(), local.inputFiles(), local.output(), local.records(), local.ok(),
            local.failed(), local.attempts(), local.billedRequests(), local.costUsd(), local.costPer1000RecordsUsd(), local.wallSeconds(),
            local.recordsPerSecond(), local.computeSeconds(), null, local.tokens(), local.labels(), local.byModel(), local.stages(),
            local.pricesApplied(), local.classifier(), local.quality(), local.failureReasons(), local.errorSamples(),
            null, null, local.spendByTier(), local.costAtPeakUsd());

    assertThat(print(withoutPricing)).contains("  cost      $0.000013 total · $0.001563 per 1,000 records · 0.9 CPU-seconds" + System.lineSeparator());
  }
}
