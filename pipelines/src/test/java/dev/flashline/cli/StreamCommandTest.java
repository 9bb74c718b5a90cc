package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.pipeline.Samples;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What {@code flashline stream} refuses before it connects to anything. */
class StreamCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int stream(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "stream";
    System.arraycopy(args, 0, all, 1, args.length);
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
  }

  @Test
  void badTopicsAndFormatsAreRefusedWithExitCode2() {
    String job = Samples.JOB.toString();
    assertThat(stream("--job", job, "--bootstrap", "127.0.0.1:9", "--input-topic", "in", "--output-topic", "in")).isEqualTo(2);
    assertThat(err.toString()).contains("must differ from the input topic 'in'");
    assertThat(stream("--job", job, "--bootstrap", "127.0.0.1:9", "--input-topic", "in put", "--output-topic", "out")).isEqualTo(2);
    assertThat(err.toString()).contains("'in put' is not a valid Kafka topic name");
    assertThat(stream("--job", job, "--bootstrap", "127.0.0.1:9", "--input-topic", "in", "--output-topic", "out", "--format", "xml")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown message format 'xml'");
    assertThat(stream("--job", "nope.yaml", "--bootstrap", "127.0.0.1:9", "--input-topic", "in", "--output-topic", "out")).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml: no such file");
  }

  @Test
  void theRequiredFlagsAreNamed() {
    assertThat(stream("--job", Samples.JOB.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--bootstrap").contains("--input-topic").contains("--output-topic");
  }

  @Test
  void detachedIsOnlyForAFlinkCluster() {
    assertThat(stream("--job", Samples.JOB.toString(), "--bootstrap", "127.0.0.1:9", "--input-topic", "in", "--output-topic", "out", "--detached"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--detached needs --runner flink");
  }
}
