package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The application-mode entry point turns a failed command into an exception instead of exiting. */
class FlinkApplicationTest {
  @Test
  void aFailedCommandThrowsWithItsExitCode() {
    assertThatThrownBy(() -> FlinkApplication.main(new String[] {"label", "--job", "no-such-job.yaml"}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("flashline label ended with exit code 2");
  }
}
