package dev.flashline.schedule;

import java.util.Locale;

/** When a file job sends its model requests: {@code --when now|off-peak}. */
public enum When {
  /** At once, whatever the price tier. */
  now,
  /** Only inside the price schedule's off-peak windows, pausing between them. */
  off_peak;

  /** Parses the flag's value: {@code now} or {@code off-peak} (also {@code off_peak}). */
  public static When parse(String value) {
    String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    for (When when : values()) {
      if (when.name().equals(v)) {
        return when;
      }
    }
    throw new IllegalArgumentException("--when must be now or off-peak, got '" + value + "'");
  }

  /** As written on the command line. */
  public String flag() {
    return name().replace('_', '-');
  }
}
