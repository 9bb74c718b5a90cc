package dev.flashline.cost;

import dev.flashline.schema.PriceTier;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Versioned model prices: each entry applies from its {@code effectiveFrom} until the next one,
 * so a job that runs across a price change bills every request at the price in force when it was
 * sent. The file format is described in {@code docs/prices.md}.
 *
 * @param entries oldest first, with unique ids and strictly increasing {@code effectiveFrom}
 * @param source where the schedule was loaded from, for messages
 */
public record PriceSchedule(List<PriceEntry> entries, String source) implements Serializable {
  /** The classpath resource of the shipped DeepSeek V4 prices. */
  public static final String DEFAULT_RESOURCE = "/dev/flashline/cost/deepseek-v4-prices.yaml";

  public PriceSchedule {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("a price schedule needs a source to name in messages");
    }
    if (entries == null || entries.isEmpty()) {
      throw new IllegalArgumentException("price schedule " + source + " has no entries");
    }
    // List.copyOf rejects nulls, but with a bare NullPointerException.
    for (PriceEntry entry : entries) {
      if (entry == null) {
        throw new IllegalArgumentException("price schedule " + source + " has a null entry");
      }
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      PriceEntry entry = entries.get(i);
      if (!ids.add(entry.id())) {
        throw new IllegalArgumentException("price schedule " + source + " has two entries with id '" + entry.id() + "'");
      }
      if (i > 0 && !entry.effectiveFrom().isAfter(entries.get(i - 1).effectiveFrom())) {
        throw new IllegalArgumentException(
            "price schedule " + source + ": entry '" + entry.id() + "' (effective from " + entry.effectiveFrom()
                + ") must take effect after the entry before it, '" + entries.get(i - 1).id()
                + "' (effective from " + entries.get(i - 1).effectiveFrom() + ")");
      }
    }
    entries = List.copyOf(entries);
  }

  /** The shipped DeepSeek V4 prices (see {@code docs/prices.md} for where they come from). */
  public static PriceSchedule defaults() {
    return Defaults.SCHEDULE;
  }

  public static PriceSchedule load(Path file) throws PriceScheduleException {
    return PriceScheduleLoader.load(file);
  }

  /** @param source names the YAML in error messages and in {@link #source()} */
  public static PriceSchedule parse(String yaml, String source) throws PriceScheduleException {
    return PriceScheduleLoader.parse(yaml, source);
  }

  /**
   * The prices of a request to {@code model} sent at {@code at}.
   *
   * @throws UnpricedModelException when no entry is in force at that instant, or the entry in
   *     force does not price the model
   */
  public AppliedPrice priceAt(String model, Instant at) {
    PriceEntry entry = entryAt(at);
    if (entry == null) {
      PriceEntry first = entries.get(0);
      throw new UnpricedModelException(
          "no price is in force at " + at + " in prices " + source + ": its earliest entry, '" + first.id()
              + "', has effective_from " + first.effectiveFrom()
              + "; give a prices file that covers this date with --prices FILE");
    }
    ModelPrices prices = entry.models().get(model);
    if (prices == null) {
      throw new UnpricedModelException(
          "model '" + model + "' has no price in entry '" + entry.id() + "' of prices " + source
              + " (in force at " + at + "), which prices only " + String.join(", ", entry.models().keySet())
              + "; to price another model, give a prices file that lists it with --prices FILE");
    }
    if (!prices.tiered()) {
      return new AppliedPrice(entry.id(), PriceTier.standard, prices.standard());
    }
    return entry.peakHours().isPeak(at)
        ? new AppliedPrice(entry.id(), PriceTier.peak, prices.peak())
        : new AppliedPrice(entry.id(), PriceTier.off_peak, prices.offPeak());
  }

  /** Whether {@link #priceAt} would price {@code model} at {@code at} rather than throw. */
  public boolean prices(String model, Instant at) {
    PriceEntry entry = entryAt(at);
    return entry != null && entry.models().containsKey(model);
  }

  /** The latest entry with effectiveFrom <= at, or null when the schedule starts later. */
  private PriceEntry entryAt(Instant at) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (!entries.get(i).effectiveFrom().isAfter(at)) {
        return entries.get(i);
      }
    }
    return null;
  }

  /** Loaded on first use; the shipped file is part of the build, so failing to read it is a bug. */
  private static final class Defaults {
    static final PriceSchedule SCHEDULE = loadResource();

    private static PriceSchedule loadResource() {
      String source = "classpath:" + DEFAULT_RESOURCE;
      try (InputStream in = PriceSchedule.class.getResourceAsStream(DEFAULT_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the default prices " + source + " are missing from the build");
        }
        return PriceScheduleLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), source);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the default prices " + source, e);
      } catch (PriceScheduleException e) {
        throw new IllegalStateException("the default prices are invalid: " + e.getMessage(), e);
      }
    }
  }
}
