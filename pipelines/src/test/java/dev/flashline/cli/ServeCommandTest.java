package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  @TempDir Path temp;

  private final StringWriter err = new StringWriter();

  private int serve(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    return Flashline.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all);
  }

  @Test
  void aDirectoryThatIsNoCheckpointIsAUsageErrorNamingIt() {
    assertThat(serve("--model", temp.toString(), "--port", "0")).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains(temp.toString()).contains("config.json");
  }

  @Test
  void aCheckpointWithoutItsTokenizerIsAUsageErrorSayingSo() {
    Path dir = temp.resolve("no-tokenizer");
    RandomCheckpoint.llama(1, 32, 2, 2, 64, 50, Dtype.F32, 1, 1).write(dir);
    assertThat(serve("--model", dir.toString(), "--port", "0")).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains("no tokenizer.json");
  }

  @Test
  void badNumbersAreUsageErrors() {
    assertThat(serve("--model", temp.toString(), "--kv-blocks", "0")).isEqualTo(Flashline.USAGE);
  }
}
