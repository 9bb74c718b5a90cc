package dev.flashline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
  private final ProgressReporter reporter =
      ProgressReporter.start("no-such-run", 5549, new PrintWriter(new StringWriter()), false);

  @Test
  void lineShowsDoneTotalRateAndEta() {
    assertThat(reporter.line(1234, 310.4, 9.6))
        .isEqualTo("progress: 1,234/5,549 records (22%) · 310 records/s · ETA 14s · elapsed 10s");
  }

  @Test
  void noEtaWithoutARateOrOnceDone() {
    assertThat(reporter.line(0, 0, 3)).doesNotContain("ETA");
    assertThat(reporter.line(5549, 200, 30)).contains("(100%)").doesNotContain("ETA");
  }

  @Test
  void unknownTotalShowsTheCountOnly() {
    ProgressReporter open = ProgressReporter.start("x", 0, new PrintWriter(new StringWriter()), false);
    assertThat(open.line(42, 1, 1)).startsWith("progress: 42 records · ");
  }

  @Test
  void durations() {
    assertThat(ProgressReporter.duration(59.4)).isEqualTo("59s");
    assertThat(ProgressReporter.duration(61)).isEqualTo("1m01s");
    assertThat(ProgressReporter.duration(3 * 3600 + 62)).isEqualTo("3h01m02s");
  }
}
