package dev.flashline.cost;

import dev.flashline.schema.PriceTier;
import java.io.Serializable;

/**
 * The prices that apply to one request: which schedule entry and tier they come from, so that
 * a billed row can say what it was charged at.
 *
 * @param scheduleId the id of the price entry in force
 */
public record AppliedPrice(String scheduleId, PriceTier tier, UnitPrices prices) implements Serializable {
  public AppliedPrice {
    if (scheduleId == null || scheduleId.isBlank()) {
      throw new IllegalArgumentException("an applied price needs the schedule id it comes from");
    }
    if (tier == null) {
      throw new IllegalArgumentException("an applied price needs a tier");
    }
    if (prices == null) {
      throw new IllegalArgumentException("an applied price needs prices");
    }
  }

  public double usd(TokenUsage usage) {
    return prices.usd(usage);
  }
}
