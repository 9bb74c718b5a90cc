package dev.flashline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The line a stream or file job prints about its job on a Flink cluster. */
class RemoteFlinkJobTest {
  @Test
  void describesStateTaskManagersRestartsAndTheRestore() {
    FlinkRest.Failure failure = new FlinkRest.Failure(0, "org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException",
        "org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException: Connection unexpectedly closed by remote task manager 'localhost/127.0.0.1:38047 [ tm-2 ] '. This might indicate that the remote task manager was lost.",
        "Read", "tm-1");
    FlinkRest.Checkpoints checkpoints = new FlinkRest.Checkpoints(7, 0, 1, 9, 0, 4, 0, 0);
    String line = new RemoteFlinkJob.Status("abc", "RUNNING", new TreeSet<>(Set.of("tm-3", "tm-1")), 2, failure, checkpoints).describe();

    assertThat(line).startsWith("flink job abc RUNNING on tm-1, tm-3 · restarts 2 (last failure ")
        .contains(": RemoteTransportException: Connection unexpectedly closed by remote task manager 'localhost/127.0.0.1:38047 [ tm-2 ]")
        .doesNotContain("org.apache")
        .endsWith(" on tm-1) · checkpoints 7 completed, restored from checkpoint 4");
  }

  @Test
  void aBatchJobHasNoCheckpointsAndNoFailures() {
    String line = new RemoteFlinkJob.Status("abc", "FINISHED", Set.of("tm-1"), 0, null, null).describe();
    assertThat(line).isEqualTo("flink job abc FINISHED on tm-1 · restarts 0");
  }

  @Test
  void longMessagesAreCut() {
    assertThat(RemoteFlinkJob.shorten("x".repeat(500))).hasSize(140).endsWith("…");
    assertThat(RemoteFlinkJob.shorten("java.lang.IllegalStateException: boom")).isEqualTo("IllegalStateException: boom");
  }
}
