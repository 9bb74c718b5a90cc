package dev.flashline.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.PriceSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OffPeakGateTest {
  private final OffPeakWindows deepseek = new OffPeakWindows(PriceSchedule.defaults());

  @Test
  void waitsForTheFirstWindowThenSaysItIsPausedAtTheNextEnd() throws Exception {
    ManualWaitClock clock = new ManualWaitClock(Instant.parse("2026-12-01T02:00:00Z")); // Tuesday, peak
    OffPeakGate gate = new OffPeakGate(deepseek, clock, Duration.ofMinutes(1));

    assertThat(gate.state().status()).isEqualTo(OffPeakGate.Status.WAITING);
    assertThat(gate.state().describe()).isEqualTo("waiting for the off-peak window at 2026-12-01T04:00:00Z");

    gate.awaitOpen();

    assertThat(clock.now()).isEqualTo(Instant.parse("2026-12-01T04:00:00Z"));
    assertThat(gate.waits()).isEqualTo(1);
    assertThat(gate.state().closesAt()).isEqualTo(Instant.parse("2026-12-01T05:59:00Z"));

    clock.advanceTo(Instant.parse("2026-12-01T05:59:30Z")); // inside the guard before 06:00
    assertThat(gate.state().describe()).isEqualTo("paused at the off-peak window's end, resumes at 2026-12-01T10:00:00Z");
    gate.awaitOpen();
    assertThat(clock.now()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
  }

  @Test
  void insideAWindowItDoesNotWait() throws Exception {
    ManualWaitClock clock = new ManualWaitClock(Instant.parse("2026-12-05T12:00:00Z")); // Saturday
    OffPeakGate gate = new OffPeakGate(deepseek, clock, Duration.ofMinutes(1));

    gate.awaitOpen();

    assertThat(clock.sleptUntil).isEmpty();
    assertThat(gate.state().closesAt()).isEqualTo(Instant.parse("2026-12-07T00:59:00Z"));
  }

  @Test
  void windowsShorterThanTheGuardAreSkipped() throws Exception {
    PriceSchedule schedule =
        PriceSchedule.parse("""
            schedules:
              - id: gaps
                effective_from: 2026-01-01T00:00:00Z
                peak_hours: {days: [MON, TUE, WED, THU, FRI, SAT, SUN], utc: ["00:00-04:00", "04:05-08:00"]}
                models:
                  m: {peak: {cache_hit: 2, cache_miss: 2, output: 2}, off_peak: {cache_hit: 1, cache_miss: 1, output: 1}}
            """, "test");
    ManualWaitClock clock = new ManualWaitClock(Instant.parse("2026-12-01T03:00:00Z"));
    OffPeakGate gate = new OffPeakGate(new OffPeakWindows(schedule), clock, Duration.ofMinutes(10));

    gate.awaitOpen();

    assertThat(clock.now()).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
  }

  @Test
  void aScaledClockCrossesIntoTheWindowInRealTimeAndWaitingIsInterruptible() throws Exception {
    // 03:59:50 on a Tuesday at 600x: the 04:00 window opens after about 17 ms.
    WaitClock fast = WaitClock.scaled(Instant.parse("2026-12-01T03:59:50Z"), 600);
    OffPeakGate gate = new OffPeakGate(deepseek, fast, Duration.ZERO);
    long started = System.nanoTime();
    gate.awaitOpen();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(deepseek.isOffPeak(fast.now())).isTrue();
    assertThat(fast.asClock().instant()).isAfterOrEqualTo(Instant.parse("2026-12-01T04:00:00Z"));

    // At real speed from a peak hour the wait is hours: an interrupt ends it.
    OffPeakGate slow = new OffPeakGate(deepseek, WaitClock.scaled(Instant.parse("2026-12-01T02:00:00Z"), 1), Duration.ZERO);
    AtomicReference<Throwable> ended = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        slow.awaitOpen();
      } catch (Throwable e) {
        ended.set(e);
      }
      done.countDown();
    });
    waiter.start();
    Thread.sleep(100);
    waiter.interrupt();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ended.get()).isInstanceOf(InterruptedException.class);
  }
}
