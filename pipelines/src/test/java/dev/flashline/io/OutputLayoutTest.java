package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLayoutTest {

  @TempDir Path dir;

  @Test
  void prepareRemovesOnlyThePreviousRunsFiles() throws IOException {
    Path out = dir.resolve("out");
    write(out, "labels-00000-of-00002.parquet");
    write(out, "labels-00001-of-00002.parquet");
    write(out, "dead-letters-00000-of-00001.parquet");
    write(out, "cost-report.json");
    write(out, ".flashline/totals/part-0");
    write(out, ".flashline/x.json");
    // not ours: kept
    write(out, "labels.parquet");
    write(out, "labels-notes.txt");
    write(out, "my-labels-00000.parquet");
    write(out, "cost-report.json.bak");
    write(out, "dead-letters.csv");
    write(out, "input.jsonl");
    write(out, "sub/labels-00000-of-00001.parquet");
    write(out, ".temp-beam-123/file");

    OutputLayout.prepare(out);

    assertThat(list(out))
        .containsExactlyInAnyOrder(
            "labels.parquet",
            "labels-notes.txt",
            "my-labels-00000.parquet",
            "cost-report.json.bak",
            "dead-letters.csv",
            "input.jsonl",
            "sub",
            ".temp-beam-123");
    assertThat(out.resolve("sub/labels-00000-of-00001.parquet")).exists();
  }

  @Test
  void prepareCreatesAMissingDirectory() throws IOException {
    Path out = dir.resolve("a/b/out");
    OutputLayout.prepare(out);
    assertThat(out).isDirectory().isEmptyDirectory();
  }

  @Test
  void prepareFailsWhenTheOutputIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("out.parquet"), "data");
    assertThatThrownBy(() -> OutputLayout.prepare(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a directory");
    assertThat(Files.readString(file)).isEqualTo("data");
  }

  @Test
  void finishRemovesScratchAndEmptyBeamTemporaryDirectories() throws IOException {
    Path out = dir.resolve("out");
    write(out, "labels-00000-of-00001.parquet");
    write(out, ".flashline/totals/part-0");
    Files.createDirectories(out.resolve(".temp-beam-empty"));
    Files.createDirectories(out.resolve(".temp-beam-2f0c"));
    write(out, ".temp-beam-busy/shard-1");
    Files.createDirectories(out.resolve(".other-empty"));

    OutputLayout.finish(out);

    assertThat(list(out))
        .containsExactlyInAnyOrder("labels-00000-of-00001.parquet", ".temp-beam-busy", ".other-empty");
    assertThat(out.resolve(".temp-beam-busy/shard-1")).exists();
  }

  @Test
  void finishWithoutScratchSpaceIsFine() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    write(out, "cost-report.json");
    OutputLayout.finish(out);
    assertThat(list(out)).containsExactly("cost-report.json");
  }

  @Test
  void deleteRecursivelyRemovesATreeAndIgnoresAMissingPath() throws IOException {
    write(dir, "t/a/b/c.txt");
    write(dir, "t/d.txt");
    OutputLayout.deleteRecursively(dir.resolve("t"));
    assertThat(dir.resolve("t")).doesNotExist();
    OutputLayout.deleteRecursively(dir.resolve("missing"));
    assertThat(dir).isEmptyDirectory();
  }

  private static void write(Path root, String name) throws IOException {
    Path file = root.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, name);
  }

  private static java.util.List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
