package dev.flashline.schedule;

import dev.flashline.cost.PeakHours;
import dev.flashline.cost.PriceEntry;
import dev.flashline.cost.PriceSchedule;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The off-peak windows of a price schedule: the times when a request costs no more than at any
 * other time of the same schedule entry.
 *
 * <p>An instant is <em>off-peak</em> when the entry in force has no peak hours (one standard price
 * all day: nothing is gained by waiting, so such time counts as off-peak) or when it has peak
 * hours and the instant lies outside them. Before the schedule's first entry nothing is priced;
 * that time counts as off-peak too, so that scheduling never waits on a price it cannot know
 * (pricing reports the gap itself).
 *
 * <p>Entries change over time: a later entry may introduce peak hours, remove them or move them,
 * so every answer looks at the entry in force at each instant it considers. All times are UTC,
 * as {@link PeakHours} reads them; there is no daylight-saving shift. Peak hours are the same for
 * every model of an entry (an entry's models are either all tiered or all standard), so the
 * windows do not depend on the model.
 */
public final class OffPeakWindows implements Serializable {
  /**
   * How far {@link #nextOffPeakStart} looks past the last entry's start before it gives up: a
   * week covers every weekday, so a schedule with no off-peak time in a week has none at all.
   */
  private static final Duration ONE_WEEK_AND_A_DAY = Duration.ofDays(8);

  private final PriceSchedule schedule;

  public OffPeakWindows(PriceSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
  }

  public PriceSchedule schedule() {
    return schedule;
  }

  public boolean isOffPeak(Instant at) {
    PriceEntry entry = entryAt(at);
    return entry == null || entry.peakHours() == null || !entry.peakHours().isPeak(at);
  }

  /**
   * Whether any entry in force at or after {@code from} has peak hours; when none has, waiting
   * for off-peak saves nothing and a job may as well start at once.
   */
  public boolean tieredFrom(Instant from) {
    List<PriceEntry> entries = schedule.entries();
    for (int i = 0; i < entries.size(); i++) {
      boolean inForceLater = i + 1 == entries.size() || entries.get(i + 1).effectiveFrom().isAfter(from);
      if (inForceLater && entries.get(i).peakHours() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The start of the first off-peak window at or after {@code at}: {@code at} itself when it is
   * off-peak.
   *
   * @throws IllegalStateException when the schedule has no off-peak time after {@code at} (peak
   *     hours around the clock, every day, in its last entry)
   */
  public Instant nextOffPeakStart(Instant at) {
    Objects.requireNonNull(at, "at");
    Instant t = at;
    while (!isOffPeak(t)) {
      PriceEntry entry = entryAt(t);
      Instant nextEntry = nextEntryStart(t);
      if (nextEntry == null && Duration.between(laterOf(at, entry.effectiveFrom()), t).compareTo(ONE_WEEK_AND_A_DAY) > 0) {
        throw new IllegalStateException(
            "price schedule " + schedule.source() + " has no off-peak time after " + at + ": entry '" + entry.id()
                + "' has peak hours " + entry.peakHours().windows() + " on " + entry.peakHours().days()
                + " and no later entry changes them");
      }
      Instant windowEnd = peakWindowEnd(entry.peakHours(), t);
      // A new entry may end the peak early (or extend it: the loop then goes on from there).
      t = nextEntry != null && nextEntry.isBefore(windowEnd) ? nextEntry : windowEnd;
    }
    return t;
  }

  /**
   * When the off-peak window that contains {@code at} ends, that is when the next peak hour
   * starts; empty when no peak hour ever follows (the schedule's last entry has no peak hours).
   *
   * @throws IllegalArgumentException when {@code at} is not off-peak
   */
  public Optional<Instant> currentWindowEnd(Instant at) {
    if (!isOffPeak(at)) {
      throw new IllegalArgumentException(at + " is in peak hours, not in an off-peak window");
    }
    Instant t = at;
    while (true) {
      PriceEntry entry = entryAt(t);
      Instant nextEntry = nextEntryStart(t);
      Instant peakStart = entry == null || entry.peakHours() == null ? null : nextPeakStart(entry.peakHours(), t);
      if (peakStart != null && (nextEntry == null || peakStart.isBefore(nextEntry))) {
        return Optional.of(peakStart);
      }
      if (nextEntry == null) {
        return Optional.empty();
      }
      if (!isOffPeak(nextEntry)) {
        return Optional.of(nextEntry);
      }
      t = nextEntry;
    }
  }

  /** The latest entry with effectiveFrom <= at, or null when the schedule starts later. */
  private PriceEntry entryAt(Instant at) {
    List<PriceEntry> entries = schedule.entries();
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (!entries.get(i).effectiveFrom().isAfter(at)) {
        return entries.get(i);
      }
    }
    return null;
  }

  /** When the first entry after {@code at} takes effect, or null when none does. */
  private Instant nextEntryStart(Instant at) {
    for (PriceEntry entry : schedule.entries()) {
      if (entry.effectiveFrom().isAfter(at)) {
        return entry.effectiveFrom();
      }
    }
    return null;
  }

  /**
   * The end of the peak window of one day that contains {@code at}. A span that crosses midnight
   * is two windows in {@link PeakHours}; the caller's loop joins them, since the instant this
   * returns (24:00) is then peak again.
   */
  private static Instant peakWindowEnd(PeakHours hours, Instant at) {
    LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
    int minute = at.atZone(ZoneOffset.UTC).getHour() * 60 + at.atZone(ZoneOffset.UTC).getMinute();
    for (PeakHours.Window window : hours.windows()) {
      if (window.contains(minute)) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofMinutes(window.endMinute()));
      }
    }
    throw new IllegalStateException(at + " is not in any of the peak windows " + hours.windows());
  }

  /** The first peak instant after {@code at} under these peak hours (which always have one within a week). */
  private static Instant nextPeakStart(PeakHours hours, Instant at) {
    LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
    for (int offset = 0; offset <= 7; offset++) {
      LocalDate date = day.plusDays(offset);
      if (!hours.days().contains(date.getDayOfWeek())) {
        continue;
      }
      Instant midnight = date.atStartOfDay(ZoneOffset.UTC).toInstant();
      for (PeakHours.Window window : hours.windows()) {
        Instant start = midnight.plus(Duration.ofMinutes(window.startMinute()));
        if (start.isAfter(at)) {
          return start;
        }
      }
    }
    throw new IllegalStateException("peak hours " + hours + " have no window in the week after " + at);
  }

  private static Instant laterOf(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
