package dev.flashline.cost;

import java.io.Serializable;

/**
 * What one model costs under one entry of a price schedule: either one {@code standard} price
 * all day, or a {@code peak} and an {@code offPeak} price chosen by the entry's peak hours.
 */
public record ModelPrices(UnitPrices standard, UnitPrices peak, UnitPrices offPeak) implements Serializable {
  public ModelPrices {
    if (standard != null && (peak != null || offPeak != null)) {
      throw new IllegalArgumentException(
          "a model has either standard prices or peak and off-peak prices, not both");
    }
    if (standard == null && peak == null && offPeak == null) {
      throw new IllegalArgumentException(
          "a model needs either standard prices or both peak and off-peak prices");
    }
    if (standard == null && peak == null) {
      throw new IllegalArgumentException("a model with off-peak prices needs peak prices too");
    }
    if (standard == null && offPeak == null) {
      throw new IllegalArgumentException("a model with peak prices needs off-peak prices too");
    }
  }

  public static ModelPrices standard(UnitPrices prices) {
    return new ModelPrices(prices, null, null);
  }

  public static ModelPrices tiered(UnitPrices peak, UnitPrices offPeak) {
    return new ModelPrices(null, peak, offPeak);
  }

  /** True when the price depends on the time of day (peak and off-peak). */
  public boolean tiered() {
    return standard == null;
  }
}
