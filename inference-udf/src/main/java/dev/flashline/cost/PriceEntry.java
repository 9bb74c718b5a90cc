package dev.flashline.cost;

import java.io.Serializable;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of a price list: the prices in force from {@code effectiveFrom} until the next
 * entry of the schedule takes over.
 *
 * @param id names this version; written to each billed row so the row says what it was priced at
 * @param peakHours when the peak tier applies; null when every model has one standard price
 * @param models prices by model name, as the name is sent to the endpoint
 */
public record PriceEntry(String id, Instant effectiveFrom, PeakHours peakHours, Map<String, ModelPrices> models)
    implements Serializable {

  public PriceEntry {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a price entry needs a non-blank id");
    }
    if (effectiveFrom == null) {
      throw new IllegalArgumentException("price entry '" + id + "' needs effectiveFrom");
    }
    if (models == null || models.isEmpty()) {
      throw new IllegalArgumentException("price entry '" + id + "' prices no models");
    }
    // TreeMap: serializable, and model names come out sorted in messages.
    Map<String, ModelPrices> copy = new TreeMap<>();
    for (Map.Entry<String, ModelPrices> model : models.entrySet()) {
      String name = model.getKey();
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("price entry '" + id + "' has a model with a blank name");
      }
      if (model.getValue() == null) {
        throw new IllegalArgumentException("price entry '" + id + "' has no prices for model '" + name + "'");
      }
      // Tiered prices without peak hours could never be applied, and a standard price beside
      // peak hours is almost certainly a model forgotten when the provider introduced tiers.
      if (model.getValue().tiered() && peakHours == null) {
        throw new IllegalArgumentException(
            "price entry '" + id + "' gives model '" + name
                + "' peak and off-peak prices but has no peak hours");
      }
      if (!model.getValue().tiered() && peakHours != null) {
        throw new IllegalArgumentException(
            "price entry '" + id + "' has peak hours, so model '" + name
                + "' needs peak and off-peak prices, not one standard price");
      }
      copy.put(name, model.getValue());
    }
    models = Collections.unmodifiableMap(copy);
  }
}
