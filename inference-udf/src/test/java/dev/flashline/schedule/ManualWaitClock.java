package dev.flashline.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A test clock that stands still until a sleep, which jumps it to the sleep's end at once. */
final class ManualWaitClock implements WaitClock {
  private Instant now;
  final List<Instant> sleptUntil = new ArrayList<>();

  ManualWaitClock(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized void sleepUntil(Instant until) {
    sleptUntil.add(until);
    if (until.isAfter(now)) {
      now = until;
    }
  }

  synchronized void advanceTo(Instant value) {
    now = value;
  }
}
