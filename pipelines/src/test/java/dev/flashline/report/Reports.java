package dev.flashline.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Cost reports as the launcher writes them, for the report's tests. */
final class Reports {
  private Reports() {}

  /** A three-stage cascade over 1,000 records, 30 of them failed. */
  static CostReport cascade() {
    return new CostReport(
        "spam-cascade",
        "classify",
        "direct",
        "/data/in.jsonl",
        1,
        "/data/out",
        1000,
        970,
        30,
        412,
        398,
        0.081234,
        0.081234,
        12.5,
        80,
        5.0,
        new CostReport.Pricing(0.05, "cpu-hour@0.05usd"),
        new CostReport.Tokens(220000, 31000, 150000, 70000, 9000, 150000.0 / 220000),
        new TreeMap<>(Map.of("ham", 800L, "spam", 170L)),
        List.of(
            new CostReport.ModelCost("local", "minilm", 600, 0.0000694, 5.0, 0, 0, 0, 0),
            new CostReport.ModelCost("openai", "deepseek-chat", 330, 0.031, 0, 180000, 21000, 130000, 50000),
            new CostReport.ModelCost("openai", "deepseek-reasoner", 70, 0.0501646, 0, 40000, 10000, 20000, 20000)),
        List.of(
            new CostReport.StageCost("local", 600, 600, 0, 0.0000416, 0.0000694, 1000),
            new CostReport.StageCost("flash", 330, 310, 20, 0.0290, 0.031, 340),
            new CostReport.StageCost("pro", 70, 60, 10, 0.0522, 0.0501646, 72)),
        List.of(
            new CostReport.PriceApplied("local", "minilm", "standard", "cpu-hour@0.05usd", 0.0, 0.0, 0.0, 1000, 0, 0, 0, 0, 5.0, 0.0000694),
            new CostReport.PriceApplied("openai", "deepseek-chat", "peak", "ds-2025-01", 0.07, 0.27, 1.1, 240, 90000, 40000, 15000, 0, 0, 0.0336),
            new CostReport.PriceApplied("openai", "deepseek-chat", "off_peak", "ds-2025-01", 0.035, 0.135, 0.55, 100, 40000, 10000, 6000, 0, 0, 0.00606),
            new CostReport.PriceApplied("openai", "deepseek-reasoner", "peak", "ds-2025-02", 0.126, 0.495, 2.19, 72, 20000, 20000, 10000, 9000, 0, 0.0342)),
        null,
        null,
        new TreeMap<>(Map.of("insufficient_balance", 12L, "invalid_output", 18L)),
        List.of("insufficient_balance: top up the account"),
        new CostReport.Savings(12, 2, 0.00001, 0.0004, 1.5, 0),
        null,
        List.of(
            new CostReport.TierSpend("off_peak", 100, 40000, 10000, 6000, 0.00606),
            new CostReport.TierSpend("peak", 312, 110000, 60000, 25000, 0.0678),
            new CostReport.TierSpend("standard", 1000, 0, 0, 0, 0.0000694)),
        0.087294);
  }

  /** A local-only job as reports were before charges: no requests, no stages. */
  static CostReport localOnly() {
    return new CostReport(
        "tiny-spam",
        "classify",
        "direct",
        "/data/in.jsonl",
        1,
        "/data/out",
        8,
        4,
        4,
        0,
        0,
        0.0000125,
        0.0015625,
        2.0,
        4.0,
        0.9,
        new CostReport.Pricing(0.05, "cpu-hour@0.05usd"),
        new CostReport.Tokens(160, 0, 0, 0, 0, 0),
        new TreeMap<>(Map.of("ham", 3L, "spam", 1L)),
        List.of(new CostReport.ModelCost("local", "minilm", 8, 0.0000125, 0.9, 160, 0, 0, 0)),
        null,
        List.of(new CostReport.PriceApplied("local", "minilm", "standard", "cpu-hour@0.05usd", null, null, null, 4, 0, 0, 0, 0, 0.9, 0.0000125)),
        null,
        null,
        Map.of("other", 4L),
        List.of("a.jsonl line 3: not valid JSON"),
        null,
        null,
        null,
        null);
  }
}
