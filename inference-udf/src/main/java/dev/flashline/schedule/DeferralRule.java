package dev.flashline.schedule;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which streamed records may wait for off-peak prices, and for how long at most.
 *
 * <p>A record is non-urgent when its {@code field} (a message field, carried in the document's
 * metadata) holds one of {@link #NON_URGENT_VALUES}, compared without case: {@code urgent: false}
 * and {@code priority: low} both read naturally. Anything else, the field missing included, is
 * urgent: a record is never delayed unless its producer asked for it.
 *
 * @param field the message field that marks a record non-urgent
 * @param maxDelay the longest a non-urgent record waits after it arrives
 */
public record DeferralRule(String field, Duration maxDelay) implements Serializable {
  public static final Set<String> NON_URGENT_VALUES = Set.of("false", "no", "0", "low");

  public DeferralRule {
    if (field == null || field.isBlank()) {
      throw new IllegalArgumentException("--defer-field needs a field name");
    }
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxDelay.isNegative() || maxDelay.isZero()) {
      throw new IllegalArgumentException("--max-defer must be positive, got " + maxDelay);
    }
  }

  public boolean deferrable(Map<String, String> metadata) {
    String value = metadata == null ? null : metadata.get(field);
    return value != null && NON_URGENT_VALUES.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * When a non-urgent record that arrived at {@code arrival} is released: at the next off-peak
   * start, or at its deadline if that comes first; {@code arrival} itself inside an off-peak
   * window.
   */
  public Instant releaseAt(Instant arrival, OffPeakWindows windows) {
    Instant deadline = arrival.plus(maxDelay);
    Instant offPeak;
    try {
      offPeak = windows.nextOffPeakStart(arrival);
    } catch (IllegalStateException noOffPeakAhead) {
      return deadline;
    }
    return offPeak.isBefore(deadline) ? offPeak : deadline;
  }
}
