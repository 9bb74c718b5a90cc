package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.schema.PriceTier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceScheduleLoaderTest {
  private static final String SOURCE = "my.yaml";

  private static final String VALID =
      """
      schedules:
        - id: launch
          effective_from: 2026-04-24T00:00:00Z
          models:
            deepseek-v4-flash: {cache_hit: 0.0028, cache_miss: 0.14, output: 0.28}
        - id: peak
          effective_from: 2026-08-16T16:00:00+08:00
          peak_hours:
            days: [monday, Tue, WED, THURSDAY, fri]
            utc: ["06:00-10:00", "01:00-04:00"]
          models:
            deepseek-v4-flash:
              peak:     {cache_hit: 0.014, cache_miss: 0.44, output: 1.32}
              off_peak: {cache_hit: 0.007, cache_miss: 0.22, output: 0.66}
      """;

  private static PriceScheduleException failure(String yaml) {
    try {
      PriceSchedule schedule = PriceSchedule.parse(yaml, SOURCE);
      throw new AssertionError("expected a PriceScheduleException, got " + schedule);
    } catch (PriceScheduleException e) {
      assertThat(e.getMessage()).startsWith("prices " + SOURCE);
      return e;
    }
  }

  @Test
  void readsBothModelShapesAndPeakHours() throws Exception {
    PriceSchedule schedule = PriceSchedule.parse(VALID, SOURCE);
    assertThat(schedule.source()).isEqualTo(SOURCE);
    assertThat(schedule.entries()).hasSize(2);
    PriceEntry peak = schedule.entries().get(1);
    assertThat(peak.effectiveFrom()).isEqualTo(Instant.parse("2026-08-16T08:00:00Z"));
    assertThat(peak.peakHours().days())
        .containsExactly(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
    assertThat(peak.peakHours().windows())
        .containsExactly(new PeakHours.Window(60, 240), new PeakHours.Window(360, 600));
    assertThat(schedule.priceAt("deepseek-v4-flash", Instant.parse("2026-04-24T00:00:00Z")).tier())
        .isEqualTo(PriceTier.standard);
  }

  @Test
  void loadsAFileAndNamesIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prices.yaml");
    Files.writeString(file, VALID);
    assertThat(PriceSchedule.load(file).source()).isEqualTo(file.toString());
    Path missing = dir.resolve("nope.yaml");
    try {
      PriceSchedule.load(missing);
      throw new AssertionError("expected a failure");
    } catch (PriceScheduleException e) {
      assertThat(e.getMessage()).isEqualTo("prices " + missing + ": no such file");
    }
  }

  @Test
  void unknownFieldNamesTheLineAndTheKnownFields() {
    PriceScheduleException e = failure(VALID.replace("cache_miss: 0.14", "cache_mis: 0.14"));
    assertThat(e.getMessage())
        .contains("line 5,")
        .contains("field 'schedules[0].models.deepseek-v4-flash.cache_mis': unknown field")
        .contains("known fields: cache_hit, cache_miss, off_peak, output, peak");

    assertThat(failure(VALID.replace("  - id: launch", "  - ident: launch")).getMessage())
        .contains("line 2,")
        .contains("field 'schedules[0].ident': unknown field");
    assertThat(failure("schedule: []").getMessage()).contains("field 'schedule': unknown field");
  }

  @Test
  void negativePriceNamesTheFieldAndValue() {
    PriceScheduleException e = failure(VALID.replace("off_peak: {cache_hit: 0.007, cache_miss: 0.22", "off_peak: {cache_hit: 0.007, cache_miss: -1"));
    assertThat(e.getMessage())
        .isEqualTo(
            "prices my.yaml line 14, column 50: field 'schedules[1].models.deepseek-v4-flash.off_peak.cache_miss':"
                + " must be a finite number >= 0 (USD per 1,000,000 tokens), got -1");
    assertThat(failure(VALID.replace("output: 0.28", "output: \"0.28\"")).getMessage())
        .contains("field 'schedules[0].models.deepseek-v4-flash.output'")
        .contains("got '0.28'");
    assertThat(failure(VALID.replace("output: 0.28", "output: .nan")).getMessage())
        .contains("field 'schedules[0].models.deepseek-v4-flash.output': must be a finite number");
    assertThat(failure(VALID.replace("output: 0.28", "output: .inf")).getMessage())
        .contains("field 'schedules[0].models.deepseek-v4-flash.output': must be a finite number");
  }

  @Test
  void missingPriceIsAnError() {
    assertThat(failure(VALID.replace(", output: 0.28}", "}")).getMessage())
        .contains("line 5,")
        .contains("field 'schedules[0].models.deepseek-v4-flash.output': missing");
    assertThat(failure(VALID.replace("        off_peak: {cache_hit: 0.007, cache_miss: 0.22, output: 0.66}\n", "")).getMessage())
        .contains("field 'schedules[1].models.deepseek-v4-flash.off_peak': missing");
  }

  @Test
  void malformedWindowsAreErrors() {
    assertThat(failure(VALID.replace("\"06:00-10:00\"", "\"25:00-26:00\"")).getMessage())
        .contains("line 10,")
        .contains("field 'schedules[1].peak_hours.utc[0]'")
        .contains("'25:00-26:00' has a time that is not between 00:00 and 24:00");
    assertThat(failure(VALID.replace("\"06:00-10:00\"", "\"04:00-01:00\"")).getMessage())
        .contains("field 'schedules[1].peak_hours.utc[0]'")
        .contains("'04:00-01:00': a window must end after it starts")
        .contains("split a window that crosses midnight");
    assertThat(failure(VALID.replace("\"06:00-10:00\"", "\"6am-10am\"")).getMessage())
        .contains("'6am-10am' is not a time window; write HH:MM-HH:MM");
    assertThat(failure(VALID.replace("\"06:00-10:00\"", "\"03:00-05:00\"")).getMessage())
        .contains("field 'schedules[1].peak_hours.utc'")
        .contains("peak windows 01:00-04:00 and 03:00-05:00 overlap");
    assertThat(failure(VALID.replace("\"06:00-10:00\", \"01:00-04:00\"", "")).getMessage())
        .contains("field 'schedules[1].peak_hours.utc': needs at least one time window");
  }

  @Test
  void badDaysAreErrors() {
    assertThat(failure(VALID.replace("Tue", "Tuesdy")).getMessage())
        .contains("field 'schedules[1].peak_hours.days[1]': unknown day 'Tuesdy'");
    assertThat(failure(VALID.replace("Tue", "THU")).getMessage())
        .contains("field 'schedules[1].peak_hours.days[3]': THURSDAY is listed twice");
  }

  @Test
  void nonIncreasingDatesAreErrors() {
    assertThat(failure(VALID.replace("2026-08-16T16:00:00+08:00", "2026-04-24T00:00:00Z")).getMessage())
        .contains("line 7,")
        .contains("field 'schedules[1].effective_from': 2026-04-24T00:00:00Z must be after the previous entry's"
            + " (2026-04-24T00:00:00Z, 'launch')");
    assertThat(failure(VALID.replace("2026-08-16T16:00:00+08:00", "2026-01-01T00:00:00Z")).getMessage())
        .contains("list entries oldest first");
  }

  @Test
  void effectiveFromNeedsAnOffset() {
    assertThat(failure(VALID.replace("2026-04-24T00:00:00Z", "2026-04-24T00:00:00")).getMessage())
        .contains("field 'schedules[0].effective_from': must be an instant with a UTC offset")
        .contains("got '2026-04-24T00:00:00'");
  }

  @Test
  void duplicateIdsAreErrors() {
    assertThat(failure(VALID.replace("id: peak", "id: launch")).getMessage())
        .contains("line 6,")
        .contains("field 'schedules[1].id': duplicate id 'launch' (also the id of schedules[0])");
  }

  @Test
  void duplicateKeysAreErrors() {
    assertThat(failure(VALID.replace("cache_miss: 0.14,", "cache_miss: 0.14, cache_miss: 0.15,")).getMessage())
        .contains("field 'schedules[0].models.deepseek-v4-flash.cache_miss': given twice");
  }

  @Test
  void emptyFilesAndEmptyListsAreErrors() {
    assertThat(failure("").getMessage()).isEqualTo("prices my.yaml: the file is empty; it needs a 'schedules:' list of price entries");
    assertThat(failure("# only a comment\n").getMessage()).contains("the file is empty");
    assertThat(failure("schedules: []").getMessage()).contains("field 'schedules': needs at least one price entry");
    assertThat(failure("schedules:").getMessage()).contains("field 'schedules': must be a list of price entries, got nothing");
    assertThat(failure("{}").getMessage()).contains("field 'schedules': missing");
    assertThat(failure("- a\n- b").getMessage()).contains("expected a mapping with a 'schedules:' list");
    assertThat(failure("schedules:\n  - id: x\n    effective_from: 2026-01-01T00:00:00Z\n    models: {}\n").getMessage())
        .contains("field 'schedules[0].models': prices no models");
    assertThat(failure("schedules:\n  - id: x\n    effective_from: 2026-01-01T00:00:00Z\n").getMessage())
        .contains("line 2,")
        .contains("field 'schedules[0].models': missing");
  }

  @Test
  void peakPricesWithoutPeakHoursAreErrors() {
    String noPeakHours = VALID.replaceAll("(?s)    peak_hours:.*?utc: \\[.*?\\]\\n", "");
    assertThat(failure(noPeakHours).getMessage())
        .contains("line 9,")
        .contains("field 'schedules[1].models.deepseek-v4-flash': has peak and off_peak prices but entry 'peak'"
            + " has no peak_hours");
  }

  @Test
  void peakHoursNeedTieredPricesForEveryModel() {
    String mixed = VALID + "      deepseek-v4-pro: {cache_hit: 0.01, cache_miss: 1, output: 2}\n";
    assertThat(failure(mixed).getMessage())
        .contains("field 'schedules[1].models.deepseek-v4-pro': entry 'peak' has peak_hours (line 8)")
        .contains("needs peak and off_peak prices");
  }

  @Test
  void bothShapesAtOnceAreAnError() {
    String both = VALID.replace("        peak:     {", "        output: 1\n        peak:     {");
    assertThat(failure(both).getMessage())
        .contains("field 'schedules[1].models.deepseek-v4-flash': give either one price");
  }

  @Test
  void invalidYamlIsReportedWithALine() {
    assertThat(failure("schedules:\n  - id: \"unclosed\n").getMessage()).contains("not valid YAML");
  }
}
