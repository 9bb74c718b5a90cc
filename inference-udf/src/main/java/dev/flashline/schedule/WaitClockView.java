package dev.flashline.schedule;

import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A {@link WaitClock} seen as a {@link Clock}; serializable, unlike most clocks, for Beam. */
final class WaitClockView extends Clock implements Serializable {
  private final WaitClock clock;
  private final ZoneId zone;

  WaitClockView(WaitClock clock) {
    this(clock, ZoneOffset.UTC);
  }

  private WaitClockView(WaitClock clock, ZoneId zone) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId value) {
    return new WaitClockView(clock, value);
  }

  @Override
  public Instant instant() {
    return clock.now();
  }
}
