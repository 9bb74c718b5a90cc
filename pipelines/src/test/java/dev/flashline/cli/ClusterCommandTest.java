package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashline cluster}: what it says and returns without starting anything (FlinkClusterIT starts clusters). */
class ClusterCommandTest {
  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int flashline(String... args) {
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void badSizesAreUsageErrorsAndStartNothing() {
    assertThat(flashline("cluster", "start", "--taskmanagers", "0", "--dir", temp.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("at least 1 TaskManager");
    assertThat(flashline("cluster", "start", "--slots", "0", "--dir", temp.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("at least 1 slot");
    assertThat(flashline("cluster", "start", "--taskmanagers", "two")).isEqualTo(2);
    assertThat(err.toString()).contains("Try 'flashline cluster start --help'");
    assertThat(temp.resolve("cluster.properties")).doesNotExist();
  }

  @Test
  void stopAndStatusSayWhenNothingRuns() {
    assertThat(flashline("cluster", "stop", "--dir", temp.toString())).isZero();
    assertThat(out.toString()).contains("no cluster runs from " + temp.toAbsolutePath());
    assertThat(flashline("cluster", "status", "--dir", temp.toString())).isEqualTo(1);
    assertThat(flashline("cluster")).isEqualTo(2);
    assertThat(err.toString()).contains("start, stop or status");
  }
}
