package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetRowsTest {

  @TempDir Path dir;

  @Test
  void readsEveryRowWithItsNumberAndStringsAsJavaStrings() throws IOException {
    Schema schema =
        SchemaBuilder.record("R")
            .fields()
            .requiredLong("id")
            .requiredString("text")
            .optionalString("gold")
            .requiredBoolean("flag")
            .optionalDouble("score")
            .endRecord();
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      GenericRecord r = new GenericData.Record(schema);
      r.put("id", 100L + i);
      r.put("text", "text " + i);
      r.put("gold", i % 2 == 0 ? "even" : null);
      r.put("flag", i % 2 == 0);
      r.put("score", i == 3 ? null : i / 2.0);
      records.add(r);
    }
    Path file = IoFixtures.writeParquet(dir.resolve("data.parquet"), schema, records);

    List<InputRow> rows = read(file, "data.parquet");

    assertThat(rows).hasSize(5);
    assertThat(rows).extracting(InputRow::ok).containsOnly(true);
    assertThat(rows).extracting(InputRow::location)
        .containsExactly("row 1", "row 2", "row 3", "row 4", "row 5");
    assertThat(rows).extracting(InputRow::file).containsOnly("data.parquet");
    InputRow second = rows.get(1);
    assertThat(second.where()).isEqualTo("data.parquet row 2");
    assertThat(second.fields().keySet()).containsExactly("id", "text", "gold", "flag", "score");
    assertThat(second.fields().get("id")).isEqualTo(102L);
    assertThat(second.fields().get("text")).isExactlyInstanceOf(String.class).isEqualTo("text 2");
    assertThat(second.fields().get("gold")).isExactlyInstanceOf(String.class).isEqualTo("even");
    assertThat(second.fields().get("flag")).isEqualTo(true);
    assertThat(second.fields().get("score")).isEqualTo(1.0);
    assertThat(second.payload()).contains("\"text 2\"", "102");
    assertThat(rows.get(0).fields()).containsEntry("gold", null);
    assertThat(rows.get(2).fields()).containsEntry("score", null);
  }

  @Test
  void truncatedFileIsOneBrokenRowNamingTheFile() throws IOException {
    Path good =
        IoFixtures.writeParquet(
            dir.resolve("good.parquet"),
            IoFixtures.DOC_SCHEMA,
            List.of(IoFixtures.doc("a", "x", null), IoFixtures.doc("b", "y", "z")));
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length - 20));

    List<InputRow> rows = new ArrayList<>();
    assertThatCode(() -> rows.addAll(read(truncated, "cut.parquet"))).doesNotThrowAnyException();

    assertThat(rows).hasSize(1);
    InputRow broken = rows.get(0);
    assertThat(broken.ok()).isFalse();
    assertThat(broken.file()).isEqualTo("cut.parquet");
    assertThat(broken.location()).isEqualTo("row 1");
    assertThat(broken.payload()).isNull();
    assertThat(broken.error()).startsWith("cut.parquet row 1: unreadable Parquet");
  }

  @Test
  void garbageAndEmptyFilesAreOneBrokenRowEach() throws IOException {
    Path garbage = Files.writeString(dir.resolve("junk.parquet"), "id,text\n1,not parquet at all\n");
    Path empty = Files.write(dir.resolve("empty.parquet"), new byte[0]);
    for (Path file : List.of(garbage, empty)) {
      String name = file.getFileName().toString();
      List<InputRow> rows = read(file, name);
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).ok()).isFalse();
      assertThat(rows.get(0).error()).startsWith(name + " row 1: ");
    }
  }

  @Test
  void leavesTheChannelOpenForItsOwner() throws IOException {
    Path file =
        IoFixtures.writeParquet(
            dir.resolve("d.parquet"), IoFixtures.DOC_SCHEMA, List.of(IoFixtures.doc("a", "x", null)));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      List<InputRow> rows = new ArrayList<>();
      ParquetRows.read(channel, "d.parquet", rows::add);
      assertThat(rows).hasSize(1);
      assertThat(channel.isOpen()).isTrue();
    }
  }

  private static List<InputRow> read(Path file, String name) throws IOException {
    List<InputRow> rows = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ParquetRows.read(channel, name, rows::add);
    }
    return rows;
  }
}
