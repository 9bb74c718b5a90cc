package dev.flashline.report;

import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Output rows and charges as the cascade writes them, for the report's tests. */
final class Rows {
  static final String LOCAL_SCHEDULE = "cpu-hour@0.05usd";

  private Rows() {}

  static Charge local(double cpuSeconds) {
    return Charge.newBuilder()
        .setStage("local")
        .setBackend("local")
        .setModel("minilm")
        .setAttempt(0)
        .setPriceTier(PriceTier.standard)
        .setPriceSchedule(LOCAL_SCHEDULE)
        .setComputeSeconds(cpuSeconds)
        .setCostUsd(cpuSeconds * 0.05 / 3600)
        .build();
  }

  /** A billed model request; cost from the unit prices, as the backend computes it. */
  static Charge api(String stage, String model, int attempt, PriceTier tier, String schedule, double[] usdPerMillion, long hit, long miss, long output) {
    double cost = (hit * usdPerMillion[0] + miss * usdPerMillion[1] + output * usdPerMillion[2]) / 1e6;
    return Charge.newBuilder()
        .setStage(stage)
        .setBackend("openai")
        .setModel(model)
        .setAttempt(attempt)
        .setPriceTier(tier)
        .setPriceSchedule(schedule)
        .setCacheHitTokens(hit)
        .setCacheMissTokens(miss)
        .setOutputTokens(output)
        .setReasoningTokens(output / 4)
        .setUsdPerMillionCacheHit(usdPerMillion[0])
        .setUsdPerMillionCacheMiss(usdPerMillion[1])
        .setUsdPerMillionOutput(usdPerMillion[2])
        .setCostUsd(cost)
        .build();
  }

  /** A row answered by its last charge, with the row's figures the sums of its charges'. */
  static LabelledRecord row(String id, String error, int attempts, List<Charge> charges) {
    Charge last = charges.get(charges.size() - 1);
    double cost = 0;
    long hit = 0;
    long miss = 0;
    long output = 0;
    long reasoning = 0;
    double compute = 0;
    for (Charge charge : charges) {
      cost += charge.getCostUsd();
      hit += charge.getCacheHitTokens();
      miss += charge.getCacheMissTokens();
      output += charge.getOutputTokens();
      reasoning += charge.getReasoningTokens();
      compute += charge.getComputeSeconds();
    }
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(TaskType.classify)
        .setLabel(error == null ? "spam" : null)
        .setBackend(last.getBackend())
        .setModel(last.getModel())
        .setStage(last.getStage())
        .setStatus(error == null ? Status.ok : Status.failed)
        .setError(error)
        .setInputTokens(hit + miss)
        .setCacheHitTokens(hit)
        .setCacheMissTokens(miss)
        .setOutputTokens(output)
        .setReasoningTokens(reasoning)
        .setComputeSeconds(compute)
        .setPriceTier(last.getPriceTier())
        .setPriceSchedule(last.getPriceSchedule())
        .setCostUsd(cost)
        .setAttempts(attempts)
        .setCharges(charges)
        .build();
  }

  /** A row written before rows carried charges: the local model's, with its cost on the row alone. */
  static LabelledRecord uncharged(String id, double cpuSeconds, String error) {
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(TaskType.classify)
        .setLabel(error == null ? "ham" : null)
        .setBackend("local")
        .setModel("minilm")
        .setStatus(error == null ? Status.ok : Status.failed)
        .setError(error)
        .setInputTokens(error == null ? 40 : 0)
        .setComputeSeconds(cpuSeconds)
        .setPriceTier(cpuSeconds > 0 ? PriceTier.standard : null)
        .setPriceSchedule(cpuSeconds > 0 ? LOCAL_SCHEDULE : null)
        .setCostUsd(cpuSeconds * 0.05 / 3600)
        .build();
  }

  private static final double[][] PRICES = {{0.07, 0.27, 1.1}, {0.035, 0.135, 0.55}, {0.14, 0.55, 2.19}, {0.1, 0.4, 1.6}};
  private static final String[] ERRORS = {
    "insufficient_balance: account empty", "invalid_output: not a label", "http_400: bad request", "rate_limited: 429 after 5 tries", "timeout: 30s"
  };

  /**
   * Rows from a three-stage cascade (local, flash, pro) with retries, two tiers and two schedules,
   * some failed, and some older rows without charges.
   */
  static List<LabelledRecord> generated(int count, long seed) {
    Random random = new Random(seed);
    List<LabelledRecord> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (random.nextInt(20) == 0) {
        rows.add(uncharged("u" + i, 0.01 + random.nextDouble() / 50, null));
        continue;
      }
      List<Charge> charges = new ArrayList<>();
      charges.add(local(0.005 + random.nextDouble() / 100));
      int attempts = 0;
      int climb = random.nextInt(3);
      for (int s = 1; s <= climb; s++) {
        String stage = s == 1 ? "flash" : "pro";
        String model = s == 1 ? "deepseek-chat" : "deepseek-reasoner";
        PriceTier tier = random.nextBoolean() ? PriceTier.peak : PriceTier.off_peak;
        String schedule = random.nextBoolean() ? "ds-2025-01" : "ds-2025-02";
        double[] price = PRICES[(s - 1) * 2 + (tier == PriceTier.peak ? 0 : 1)];
        if (schedule.equals("ds-2025-02")) {
          price = new double[] {price[0] * 0.9, price[1] * 0.9, price[2]};
        }
        int tries = 1 + (random.nextInt(5) == 0 ? 1 : 0);
        for (int t = 0; t < tries; t++) {
          attempts++;
          charges.add(api(stage, model, attempts, tier, schedule, price, random.nextInt(2000), 1 + random.nextInt(500), 1 + random.nextInt(300)));
        }
        if (random.nextInt(4) == 0) {
          attempts++; // a request that timed out: sent, never billed
        }
      }
      String error = random.nextInt(8) == 0 ? ERRORS[random.nextInt(ERRORS.length)] : null;
      rows.add(row("r" + i, error, attempts, charges));
    }
    return rows;
  }
}
