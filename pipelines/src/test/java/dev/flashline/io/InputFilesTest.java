package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.flashline.task.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

  private static final String JSONL = "{\"doc_id\":\"a\",\"body\":\"x\"}\n";
  private static final String CSV = "doc_id,body\n1,x\n";

  @TempDir Path dir;

  private final JobSpec job = IoFixtures.job();

  @Test
  void missingPath() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> InputFiles.resolve(missing, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessage("input " + missing + ": no such file or directory");
  }

  @Test
  void unsupportedExtension() throws Exception {
    Path file = Files.writeString(dir.resolve("data.txt"), JSONL);
    assertThatThrownBy(() -> InputFiles.resolve(file, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("unsupported file type")
        .hasMessageContaining("*.parquet, *.jsonl, *.ndjson, *.csv");
  }

  @Test
  void singleFileGivesItsAbsoluteNormalisedPath() throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Path file = Files.writeString(dir.resolve("sub/Data.JSONL"), JSONL + JSONL);
    InputFiles input = InputFiles.resolve(dir.resolve("sub/../sub/./Data.JSONL"), job);
    assertThat(input.paths()).containsExactly(file.toAbsolutePath().normalize().toString());
    assertThat(input.estimatedRecords()).isEqualTo(2);
  }

  @Test
  void directoryIsWalkedRecursivelyInSortedOrderSkippingHiddenAndMetadata() throws Exception {
    write("b.jsonl", JSONL);
    write("c.csv", CSV);
    write("a/z.ndjson", JSONL);
    write("a/b/deep.jsonl", JSONL);
    IoFixtures.writeParquet(dir.resolve("a/m.parquet"), IoFixtures.DOC_SCHEMA, List.of(IoFixtures.doc("p", "q", null)));
    write("_SUCCESS", "");
    write("_temporary/part-0.jsonl", JSONL);
    write(".hidden/x.jsonl", JSONL);
    write(".skip.csv", CSV);
    write("_skip.jsonl", JSONL);
    write("notes.txt", "not input");
    write("a/.m.parquet.crc", "crc");

    InputFiles input = InputFiles.resolve(dir, job);

    assertThat(input.paths())
        .containsExactly(
            abs("a/b/deep.jsonl"), abs("a/m.parquet"), abs("a/z.ndjson"), abs("b.jsonl"), abs("c.csv"));
    assertThat(input.estimatedRecords()).isEqualTo(5);
  }

  @Test
  void hiddenNamesCountOnlyBelowTheInputDirectory() throws Exception {
    Path input = Files.createDirectories(dir.resolve(".cache/_out"));
    Files.writeString(input.resolve("part.jsonl"), JSONL);
    assertThat(InputFiles.resolve(input, job).paths()).containsExactly(abs(".cache/_out/part.jsonl"));
  }

  @Test
  void directoryWithoutSupportedFiles() throws Exception {
    write("notes.txt", "x");
    write("_SUCCESS", "");
    write(".hidden/x.jsonl", JSONL);
    assertThatThrownBy(() -> InputFiles.resolve(dir, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageContaining("input " + dir)
        .hasMessageContaining("holds no *.parquet, *.jsonl, *.ndjson, *.csv files");
  }

  @Test
  void unreadableFile() throws Exception {
    Path file = write("locked.jsonl", JSONL);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "running as root: every file is readable");
    assertThatThrownBy(() -> InputFiles.resolve(file, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessage("input " + file + ": cannot read (permission denied)");
  }

  @Test
  void unreadableSubdirectoryIsAnInputException() throws Exception {
    write("ok.jsonl", JSONL);
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Files.writeString(locked.resolve("x.jsonl"), JSONL);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isReadable(locked), "running as root: every directory is readable");
      assertThatThrownBy(() -> InputFiles.resolve(dir, job))
          .isInstanceOf(InputFiles.InputException.class)
          .hasMessageContaining("cannot list directory");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void corruptParquetNamesTheFile() throws Exception {
    Path good = IoFixtures.writeParquet(dir.resolve("good.parquet"), IoFixtures.DOC_SCHEMA, List.of(IoFixtures.doc("a", "b", null)));
    byte[] bytes = Files.readAllBytes(good);
    Path bad = Files.write(dir.resolve("bad.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> InputFiles.resolve(bad, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageStartingWith("input " + bad + ": not a readable Parquet file");
    Path text = Files.writeString(dir.resolve("text.parquet"), "hello");
    assertThatThrownBy(() -> InputFiles.resolve(text, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageContaining(text.toString());
  }

  @Test
  void corruptParquetInADirectoryFailsTheWholeInput() throws Exception {
    write("a.jsonl", JSONL);
    Path bad = write("b.parquet", "PAR1 not really");
    assertThatThrownBy(() -> InputFiles.resolve(dir, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void parquetTheAvroReaderCannotReadIsAnInputException() throws Exception {
    // Spark writes timestamps as INT96, which the Avro reader rejects: say so before the job runs.
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message spark { required binary doc_id (UTF8); required binary body (UTF8); optional int96 ts; }");
    Path file = dir.resolve("spark.parquet");
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(schema)
            .withConf(new Configuration())
            .build()) {
      writer.write(
          new SimpleGroupFactory(schema)
              .newGroup()
              .append("doc_id", "1")
              .append("body", "x")
              .append("ts", Binary.fromConstantByteArray(new byte[12])));
    }
    assertThatThrownBy(() -> InputFiles.resolve(file, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageStartingWith("input " + file + ": not a readable Parquet file")
        .hasMessageContaining("INT96");
  }

  @Test
  void parquetWithoutTheTextColumn() throws Exception {
    Schema schema = SchemaBuilder.record("R").fields().requiredString("doc_id").requiredString("content").endRecord();
    GenericRecord record = new GenericData.Record(schema);
    record.put("doc_id", "1");
    record.put("content", "x");
    Path file = IoFixtures.writeParquet(dir.resolve("p.parquet"), schema, List.of(record));
    assertThatThrownBy(() -> InputFiles.resolve(file, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessage("input " + file + ": no column 'body' (the job's text_field); columns: doc_id, content");
  }

  @Test
  void csvWithoutTheIdColumn() throws Exception {
    Path file = write("data.csv", "id,body,truth\n1,x,a\n");
    assertThatThrownBy(() -> InputFiles.resolve(file, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessage("input " + file + ": no column 'doc_id' (the job's id_field); columns: id, body, truth");
  }

  @Test
  void csvWithABrokenOrEmptyHeader() throws Exception {
    Path duplicate = write("dup.csv", "doc_id,body,body\n1,x,y\n");
    assertThatThrownBy(() -> InputFiles.resolve(duplicate, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageStartingWith("input " + duplicate + " line 1")
        .hasMessageContaining("duplicate");
    Path empty = write("empty.csv", "");
    assertThatThrownBy(() -> InputFiles.resolve(empty, job))
        .isInstanceOf(InputFiles.InputException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("empty file");
  }

  @Test
  void estimatedRecordsPerFormat() throws Exception {
    Path jsonl = write("a.jsonl", "\n" + JSONL + "  \n" + JSONL + "\r\n\r\n" + JSONL.strip());
    assertThat(InputFiles.resolve(jsonl, job).estimatedRecords()).isEqualTo(3);

    Path csv = write("b.csv", "doc_id,body\r\n1,x\r\n2,y\r\n\r\n3,z\r\n4,w");
    assertThat(InputFiles.resolve(csv, job).estimatedRecords()).isEqualTo(4);
    Path headerOnly = write("c.csv", "doc_id,body\n");
    assertThat(InputFiles.resolve(headerOnly, job).estimatedRecords()).isZero();

    List<GenericRecord> rows =
        IntStream.range(0, 7).mapToObj(i -> IoFixtures.doc("id" + i, "t", null)).toList();
    Path parquet = IoFixtures.writeParquet(dir.resolve("d.parquet"), IoFixtures.DOC_SCHEMA, rows);
    assertThat(InputFiles.resolve(parquet, job).estimatedRecords()).isEqualTo(7);

    assertThat(InputFiles.resolve(dir, job).estimatedRecords()).isEqualTo(3 + 4 + 0 + 7);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private String abs(String name) {
    return dir.resolve(name).toAbsolutePath().normalize().toString();
  }
}
