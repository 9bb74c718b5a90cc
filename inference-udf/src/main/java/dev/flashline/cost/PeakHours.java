package dev.flashline.cost;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When a provider's peak tier applies: on the given UTC weekdays, within the given UTC time
 * windows. Any other instant (other days, other hours) is off-peak.
 *
 * <p>Both the weekday and the time of day are read in UTC. For DeepSeek's windows (01:00–10:00
 * UTC at the widest, that is 09:00–18:00 Beijing time) the UTC weekday and the Beijing weekday
 * agree, so the distinction does not matter there.
 *
 * @param days the weekdays that have peak hours
 * @param windows the peak windows of such a day, sorted and non-overlapping
 */
public record PeakHours(Set<DayOfWeek> days, List<Window> windows) implements Serializable {
  public static final int MINUTES_PER_DAY = 24 * 60;

  public PeakHours {
    // Checked by iteration: contains(null) throws on the immutable collections of Set.of/List.of.
    if (days == null || days.isEmpty() || days.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("peak hours need at least one day, and no null days");
    }
    if (windows == null || windows.isEmpty() || windows.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("peak hours need at least one time window, and no null windows");
    }
    // EnumSet keeps Monday-first order, which reads naturally in messages.
    days = Collections.unmodifiableSet(EnumSet.copyOf(days));
    List<Window> sorted = new ArrayList<>(windows);
    sorted.sort(Comparator.comparingInt(Window::startMinute));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).startMinute() < sorted.get(i - 1).endMinute()) {
        throw new IllegalArgumentException(
            "peak windows " + sorted.get(i - 1) + " and " + sorted.get(i) + " overlap");
      }
    }
    windows = List.copyOf(sorted);
  }

  public boolean isPeak(Instant at) {
    ZonedDateTime utc = at.atZone(ZoneOffset.UTC);
    if (!days.contains(utc.getDayOfWeek())) {
      return false;
    }
    int minute = utc.getHour() * 60 + utc.getMinute();
    for (Window window : windows) {
      if (window.contains(minute)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A half-open span [start, end) of one UTC day, in minutes since midnight. A window cannot
   * cross midnight: split such a span into two (one ending at 24:00, one starting at 00:00).
   */
  public record Window(int startMinute, int endMinute) implements Serializable {
    public Window {
      if (startMinute < 0 || startMinute >= MINUTES_PER_DAY) {
        throw new IllegalArgumentException(
            "a window must start between 00:00 and 23:59, got " + hhmm(startMinute));
      }
      if (endMinute <= startMinute || endMinute > MINUTES_PER_DAY) {
        throw new IllegalArgumentException(
            "a window must end after it starts and no later than 24:00, got "
                + hhmm(startMinute) + "-" + hhmm(endMinute)
                + " (split a window that crosses midnight into two)");
      }
    }

    /** @param minute minutes since midnight UTC */
    public boolean contains(int minute) {
      return minute >= startMinute && minute < endMinute;
    }

    @Override
    public String toString() {
      return hhmm(startMinute) + "-" + hhmm(endMinute);
    }

    private static String hhmm(int minutes) {
      return minutes < 0 ? String.valueOf(minutes) : String.format("%02d:%02d", minutes / 60, minutes % 60);
    }
  }
}
