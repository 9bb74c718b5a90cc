package dev.flashline.estimate;

import dev.flashline.cost.ModelPrices;
import dev.flashline.cost.PriceEntry;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.UnitPrices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prices an estimate shows: those of the schedule entry in force at one instant, for each model
 * asked about, in each of the entry's tiers (peak and off-peak, or one standard price).
 *
 * @param entryId the price entry's id
 * @param tiers "peak", "off_peak", or "standard"
 * @param models model -> tier -> prices, in the order asked, priced models only
 * @param unpriced models asked about that the entry does not price
 */
public record PriceColumns(String entryId, List<String> tiers, Map<String, Map<String, UnitPrices>> models, List<String> unpriced) {
  public static final String PEAK = "peak";
  public static final String OFF_PEAK = "off_peak";
  public static final String STANDARD = "standard";

  /**
   * @throws IllegalArgumentException when the schedule has no entry in force at {@code at} and
   *     none later either (it cannot: a schedule has at least one entry; before the first, the
   *     first is used)
   */
  public static PriceColumns of(PriceSchedule schedule, Instant at, Collection<String> models) {
    PriceEntry entry = entryAt(schedule, at);
    boolean tiered = entry.peakHours() != null;
    List<String> tiers = tiered ? List.of(PEAK, OFF_PEAK) : List.of(STANDARD);
    Map<String, Map<String, UnitPrices>> priced = new LinkedHashMap<>();
    List<String> unpriced = new ArrayList<>();
    for (String model : models) {
      ModelPrices prices = entry.models().get(model);
      if (prices == null) {
        unpriced.add(model);
        continue;
      }
      Map<String, UnitPrices> byTier = new LinkedHashMap<>();
      if (prices.tiered()) {
        byTier.put(PEAK, prices.peak());
        byTier.put(OFF_PEAK, prices.offPeak());
      } else {
        byTier.put(STANDARD, prices.standard());
      }
      priced.put(model, byTier);
    }
    return new PriceColumns(entry.id(), tiers, priced, List.copyOf(unpriced));
  }

  /** The entry in force at {@code at}; the first entry when the schedule starts later. */
  static PriceEntry entryAt(PriceSchedule schedule, Instant at) {
    List<PriceEntry> entries = schedule.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (!entries.get(i).effectiveFrom().isAfter(at)) {
        return entries.get(i);
      }
    }
    return entries.get(0);
  }

  public UnitPrices prices(String model, String tier) {
    Map<String, UnitPrices> byTier = models.get(model);
    return byTier == null ? null : byTier.get(tier);
  }
}
