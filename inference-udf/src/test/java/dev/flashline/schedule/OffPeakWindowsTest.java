package dev.flashline.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.cost.PriceSchedule;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OffPeakWindowsTest {
  /** Peak Mon-Fri 01:00-04:00 and 06:00-10:00 UTC from 2026-08-16T16:00Z; one price before. */
  private final OffPeakWindows deepseek = new OffPeakWindows(PriceSchedule.defaults());

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  private static PriceSchedule schedule(String yaml) throws Exception {
    return PriceSchedule.parse(yaml, "test");
  }

  @Test
  void weekdayWindowsAlternate() {
    // 2026-12-01 is a Tuesday.
    assertThat(deepseek.isOffPeak(at("2026-12-01T00:59:59Z"))).isTrue();
    assertThat(deepseek.isOffPeak(at("2026-12-01T01:00:00Z"))).isFalse();
    assertThat(deepseek.isOffPeak(at("2026-12-01T04:00:00Z"))).isTrue();
    assertThat(deepseek.nextOffPeakStart(at("2026-12-01T02:30:00Z"))).isEqualTo(at("2026-12-01T04:00:00Z"));
    assertThat(deepseek.nextOffPeakStart(at("2026-12-01T04:30:00Z"))).isEqualTo(at("2026-12-01T04:30:00Z"));
    assertThat(deepseek.currentWindowEnd(at("2026-12-01T04:30:00Z"))).contains(at("2026-12-01T06:00:00Z"));
    assertThat(deepseek.nextOffPeakStart(at("2026-12-01T07:00:00Z"))).isEqualTo(at("2026-12-01T10:00:00Z"));
    // The evening window runs to the next weekday's first peak hour.
    assertThat(deepseek.currentWindowEnd(at("2026-12-01T10:00:00Z"))).contains(at("2026-12-02T01:00:00Z"));
  }

  @Test
  void weekendsAreOffPeakUntilMonday() {
    // Friday 2026-12-04 after 10:00 until Monday 2026-12-07 01:00.
    assertThat(deepseek.isOffPeak(at("2026-12-05T08:00:00Z"))).isTrue();
    assertThat(deepseek.currentWindowEnd(at("2026-12-04T12:00:00Z"))).contains(at("2026-12-07T01:00:00Z"));
  }

  @Test
  void peakHoursStartAtTheEntryThatIntroducesThem() {
    // Before 2026-08-16T16:00Z there is one standard price: off-peak (nothing to wait for).
    assertThat(deepseek.isOffPeak(at("2026-08-14T07:00:00Z"))).isTrue();
    // Friday 2026-08-14 07:00 is in a window-shaped hour, but the tiered entry starts on Sunday;
    // the first peak hour is Monday 01:00.
    assertThat(deepseek.currentWindowEnd(at("2026-08-14T07:00:00Z"))).contains(at("2026-08-17T01:00:00Z"));
  }

  @Test
  void aLaterEntryCanEndPeakHoursEarly() throws Exception {
    PriceSchedule schedule =
        schedule("""
            schedules:
              - id: tiered
                effective_from: 2026-12-01T00:00:00Z
                peak_hours: {days: [MON, TUE, WED, THU, FRI], utc: ["01:00-04:00"]}
                models:
                  m: {peak: {cache_hit: 2, cache_miss: 2, output: 2}, off_peak: {cache_hit: 1, cache_miss: 1, output: 1}}
              - id: flat
                effective_from: 2026-12-02T02:00:00Z
                models:
                  m: {cache_hit: 1, cache_miss: 1, output: 1}
            """);
    OffPeakWindows windows = new OffPeakWindows(schedule);

    assertThat(windows.nextOffPeakStart(at("2026-12-02T01:30:00Z"))).isEqualTo(at("2026-12-02T02:00:00Z"));
    assertThat(windows.currentWindowEnd(at("2026-12-02T02:00:00Z"))).isEmpty();
    assertThat(windows.tieredFrom(at("2026-12-02T02:00:00Z"))).isFalse();
    assertThat(windows.tieredFrom(at("2026-12-02T01:59:00Z"))).isTrue();
  }

  @Test
  void aLaterEntryCanStartPeakHoursInsideAnOffPeakWindow() throws Exception {
    PriceSchedule schedule =
        schedule("""
            schedules:
              - id: flat
                effective_from: 2026-12-01T00:00:00Z
                models:
                  m: {cache_hit: 1, cache_miss: 1, output: 1}
              - id: tiered
                effective_from: 2026-12-01T02:30:00Z
                peak_hours: {days: [TUE], utc: ["01:00-04:00"]}
                models:
                  m: {peak: {cache_hit: 2, cache_miss: 2, output: 2}, off_peak: {cache_hit: 1, cache_miss: 1, output: 1}}
            """);
    OffPeakWindows windows = new OffPeakWindows(schedule);

    assertThat(windows.currentWindowEnd(at("2026-12-01T01:30:00Z"))).contains(at("2026-12-01T02:30:00Z"));
    assertThat(windows.nextOffPeakStart(at("2026-12-01T02:30:00Z"))).isEqualTo(at("2026-12-01T04:00:00Z"));
  }

  @Test
  void windowsSplitAtMidnightJoinAcrossIt() throws Exception {
    PriceSchedule schedule =
        schedule("""
            schedules:
              - id: night
                effective_from: 2026-01-01T00:00:00Z
                peak_hours: {days: [MON, TUE, WED, THU, FRI, SAT, SUN], utc: ["00:00-02:00", "22:00-24:00"]}
                models:
                  m: {peak: {cache_hit: 2, cache_miss: 2, output: 2}, off_peak: {cache_hit: 1, cache_miss: 1, output: 1}}
            """);
    OffPeakWindows windows = new OffPeakWindows(schedule);

    assertThat(windows.nextOffPeakStart(at("2026-12-01T23:00:00Z"))).isEqualTo(at("2026-12-02T02:00:00Z"));
    assertThat(windows.currentWindowEnd(at("2026-12-01T12:00:00Z"))).contains(at("2026-12-01T22:00:00Z"));
  }

  @Test
  void noPeakHoursMeansAlwaysOffPeak() throws Exception {
    OffPeakWindows windows =
        new OffPeakWindows(
            schedule("""
                schedules:
                  - id: flat
                    effective_from: 2026-01-01T00:00:00Z
                    models:
                      m: {cache_hit: 1, cache_miss: 1, output: 1}
                """));

    assertThat(windows.isOffPeak(at("2026-12-01T02:00:00Z"))).isTrue();
    assertThat(windows.currentWindowEnd(at("2026-12-01T02:00:00Z"))).isEqualTo(Optional.empty());
    assertThat(windows.tieredFrom(at("2026-12-01T02:00:00Z"))).isFalse();
  }

  @Test
  void peakAroundTheClockHasNoOffPeakStart() throws Exception {
    OffPeakWindows windows =
        new OffPeakWindows(
            schedule("""
                schedules:
                  - id: always
                    effective_from: 2026-01-01T00:00:00Z
                    peak_hours: {days: [MON, TUE, WED, THU, FRI, SAT, SUN], utc: ["00:00-24:00"]}
                    models:
                      m: {peak: {cache_hit: 2, cache_miss: 2, output: 2}, off_peak: {cache_hit: 1, cache_miss: 1, output: 1}}
                """));

    assertThatThrownBy(() -> windows.nextOffPeakStart(at("2026-12-01T02:00:00Z")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no off-peak time")
        .hasMessageContaining("'always'");
    assertThatThrownBy(() -> windows.currentWindowEnd(at("2026-12-01T02:00:00Z"))).isInstanceOf(IllegalArgumentException.class);
  }
}
