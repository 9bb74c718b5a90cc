package dev.flashline.report;

import java.io.Serializable;

/**
 * The work billed at one price: one backend and model, tier, schedule and set of unit prices. The
 * identifying parts are kept as fields so the report shows them without parsing the map key.
 */
public final class PriceTotals implements Serializable {
  public String backend;
  public String model;
  public String priceTier;
  public String priceSchedule;
  /** Null for work from rows that carried no charges, whose unit prices are not recorded. */
  public Double usdPerMillionCacheHit;
  public Double usdPerMillionCacheMiss;
  public Double usdPerMillionOutput;
  /** Charges billed at this price. */
  public long requests;
  public long cacheHitTokens;
  public long cacheMissTokens;
  public long outputTokens;
  public long reasoningTokens;
  public double computeSeconds;
  public double costUsd;

  static PriceTotals of(Spend spend) {
    PriceTotals price = new PriceTotals();
    price.backend = spend.backend();
    price.model = spend.model();
    price.priceTier = spend.priceTier();
    price.priceSchedule = spend.priceSchedule();
    price.usdPerMillionCacheHit = spend.usdPerMillionCacheHit();
    price.usdPerMillionCacheMiss = spend.usdPerMillionCacheMiss();
    price.usdPerMillionOutput = spend.usdPerMillionOutput();
    return price;
  }

  void add(Spend spend) {
    requests++;
    cacheHitTokens += spend.cacheHitTokens();
    cacheMissTokens += spend.cacheMissTokens();
    outputTokens += spend.outputTokens();
    reasoningTokens += spend.reasoningTokens();
    computeSeconds += spend.computeSeconds();
    costUsd += spend.costUsd();
  }

  /** Adds another accumulator's figures for the same price; the identifying parts are already equal. */
  void merge(PriceTotals other) {
    requests += other.requests;
    cacheHitTokens += other.cacheHitTokens;
    cacheMissTokens += other.cacheMissTokens;
    outputTokens += other.outputTokens;
    reasoningTokens += other.reasoningTokens;
    computeSeconds += other.computeSeconds;
    costUsd += other.costUsd;
  }

  /** A copy, so merging never aliases another accumulator's entry. */
  PriceTotals copy() {
    PriceTotals copy = new PriceTotals();
    copy.backend = backend;
    copy.model = model;
    copy.priceTier = priceTier;
    copy.priceSchedule = priceSchedule;
    copy.usdPerMillionCacheHit = usdPerMillionCacheHit;
    copy.usdPerMillionCacheMiss = usdPerMillionCacheMiss;
    copy.usdPerMillionOutput = usdPerMillionOutput;
    copy.merge(this);
    return copy;
  }
}
