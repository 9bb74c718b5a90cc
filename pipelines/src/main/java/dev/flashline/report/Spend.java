package dev.flashline.report;

import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import java.util.List;

/**
 * One billed piece of work as the totals see it: a row's charge, or, for rows written before rows
 * carried charges, the row itself, so that older output still adds up to its cost.
 *
 * @param attempt 1-based request number, 0 for self-hosted compute and for a row standing in for its charges
 * @param priceTier null when a row without charges named none
 * @param usdPerMillionCacheHit null when unknown, which is so for a row standing in for its charges
 */
record Spend(
    String stage,
    String backend,
    String model,
    int attempt,
    String priceTier,
    String priceSchedule,
    long cacheHitTokens,
    long cacheMissTokens,
    long inputTokens,
    long outputTokens,
    long reasoningTokens,
    double computeSeconds,
    Double usdPerMillionCacheHit,
    Double usdPerMillionCacheMiss,
    Double usdPerMillionOutput,
    double costUsd) {

  /** The row's charges; the row itself when it has none but did some billable work; else nothing. */
  static List<Spend> of(LabelledRecord row) {
    List<Charge> charges = row.getCharges();
    if (charges != null && !charges.isEmpty()) {
      return charges.stream().map(Spend::of).toList();
    }
    boolean work =
        row.getCostUsd() != 0
            || row.getComputeSeconds() != 0
            || row.getInputTokens() != 0
            || row.getOutputTokens() != 0;
    return work ? List.of(standingIn(row)) : List.of();
  }

  static Spend of(Charge charge) {
    return new Spend(
        charge.getStage(),
        charge.getBackend(),
        charge.getModel(),
        charge.getAttempt(),
        charge.getPriceTier() == null ? null : charge.getPriceTier().name(),
        charge.getPriceSchedule(),
        charge.getCacheHitTokens(),
        charge.getCacheMissTokens(),
        // The prompt is what the cache split: the charge carries no separate input count.
        charge.getCacheHitTokens() + charge.getCacheMissTokens(),
        charge.getOutputTokens(),
        charge.getReasoningTokens(),
        charge.getComputeSeconds(),
        charge.getUsdPerMillionCacheHit(),
        charge.getUsdPerMillionCacheMiss(),
        charge.getUsdPerMillionOutput(),
        charge.getCostUsd());
  }

  private static Spend standingIn(LabelledRecord row) {
    return new Spend(
        row.getStage(),
        row.getBackend(),
        row.getModel(),
        0,
        row.getPriceTier() == null ? null : row.getPriceTier().name(),
        row.getPriceSchedule(),
        row.getCacheHitTokens(),
        row.getCacheMissTokens(),
        row.getInputTokens(),
        row.getOutputTokens(),
        row.getReasoningTokens(),
        row.getComputeSeconds(),
        null,
        null,
        null,
        row.getCostUsd());
  }

  /** Readable and unique per distinct price: unit prices printed in full so that two never share a key. */
  String priceKey() {
    return backend
        + "/"
        + model
        + " | "
        + priceTier
        + " | "
        + priceSchedule
        + " | hit "
        + usdPerMillionCacheHit
        + " miss "
        + usdPerMillionCacheMiss
        + " out "
        + usdPerMillionOutput;
  }

  String modelKey() {
    return backend + "/" + model;
  }
}
