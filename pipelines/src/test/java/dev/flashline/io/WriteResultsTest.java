package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteResultsTest {

  @TempDir Path dir;

  @Test
  void labelsAreWrittenAsOneSnappyParquetShard() throws IOException {
    List<LabelledRecord> records =
        List.of(
            labelled("r1", "spam", Status.ok, null, 0.9),
            labelled("r2", "ham", Status.ok, null, 0.6),
            labelled("r3", null, Status.failed, "data.csv line 4: field 'text' is empty", null));

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(records).withCoder(AvroCoder.of(LabelledRecord.class)))
        .apply(WriteResults.labels(dir.toString(), 1));
    p.run().waitUntilFinish();

    assertThat(parquetFiles()).containsExactly("labels-00000-of-00001.parquet");
    Path file = dir.resolve("labels-00000-of-00001.parquet");
    List<GenericRecord> rows = readBack(file);
    rows.sort(java.util.Comparator.comparing(r -> r.get("id").toString()));
    assertThat(rows)
        .extracting(
            r -> r.get("id").toString(),
            r -> str(r.get("label")),
            r -> r.get("task").toString(),
            r -> r.get("status").toString(),
            r -> str(r.get("error")),
            r -> r.get("confidence"),
            r -> r.get("backend").toString(),
            r -> r.get("model").toString())
        .containsExactly(
            tuple("r1", "spam", "classify", "ok", null, 0.9, "local", "m1"),
            tuple("r2", "ham", "classify", "ok", null, 0.6, "local", "m1"),
            tuple("r3", null, "classify", "failed", "data.csv line 4: field 'text' is empty", null, "local", "m1"));
    assertThat(rows.get(0).get("input_tokens")).isEqualTo(12L);
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(hadoopPath(file), new Configuration()))) {
      assertThat(reader.getFooter().getBlocks().get(0).getColumns().get(0).getCodec())
          .isEqualTo(CompressionCodecName.SNAPPY);
    }
  }

  @Test
  void labelsCanBeSpreadOverShards() throws IOException {
    List<LabelledRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      records.add(labelled("r" + i, "spam", Status.ok, null, null));
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(records).withCoder(AvroCoder.of(LabelledRecord.class)))
        .apply(WriteResults.labels(dir.toString(), 2));
    p.run().waitUntilFinish();

    assertThat(parquetFiles())
        .containsExactlyInAnyOrder("labels-00000-of-00002.parquet", "labels-00001-of-00002.parquet");
    List<String> ids = new ArrayList<>();
    for (String name : parquetFiles()) {
      readBack(dir.resolve(name)).forEach(r -> ids.add(r.get("id").toString()));
    }
    assertThat(ids).hasSize(20).doesNotHaveDuplicates().contains("r0", "r19");
  }

  @Test
  void deadLettersAreWrittenWithTheirOwnPrefix() throws IOException {
    List<DeadLetter> letters =
        List.of(
            DeadLetter.newBuilder()
                .setJob("job-1")
                .setSource("/in/data.csv")
                .setLocation("line 3")
                .setRecordId(null)
                .setReason("data.csv line 3: quote inside unquoted field")
                .setPayload("c2,a\"b")
                .build(),
            DeadLetter.newBuilder()
                .setJob("job-1")
                .setSource("/in/rows.parquet")
                .setLocation("row 1")
                .setRecordId("p1")
                .setReason("record 'p1' (rows.parquet row 1): field 'text' is empty")
                .setPayload(null)
                .build());
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(letters).withCoder(AvroCoder.of(DeadLetter.class)))
        .apply(WriteResults.deadLetters(dir.toString()));
    p.run().waitUntilFinish();

    assertThat(parquetFiles()).containsExactly("dead-letters-00000-of-00001.parquet");
    List<GenericRecord> rows = readBack(dir.resolve("dead-letters-00000-of-00001.parquet"));
    rows.sort(java.util.Comparator.comparing(r -> r.get("location").toString()));
    assertThat(rows)
        .extracting(
            r -> r.get("job").toString(),
            r -> r.get("source").toString(),
            r -> r.get("location").toString(),
            r -> str(r.get("record_id")),
            r -> str(r.get("payload")))
        .containsExactly(
            tuple("job-1", "/in/data.csv", "line 3", null, "c2,a\"b"),
            tuple("job-1", "/in/rows.parquet", "row 1", "p1", null));
    assertThat(rows.get(1).get("reason").toString()).isEqualTo("record 'p1' (rows.parquet row 1): field 'text' is empty");
  }

  private static LabelledRecord labelled(String id, String label, Status status, String error, Double confidence) {
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(TaskType.classify)
        .setBackend("local")
        .setModel("m1")
        .setStatus(status)
        .setLabel(label)
        .setError(error)
        .setConfidence(confidence)
        .setInputTokens(12)
        .build();
  }

  private List<String> parquetFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".parquet")).sorted().toList();
    }
  }

  private static List<GenericRecord> readBack(Path file) throws IOException {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(hadoopPath(file), new Configuration()))
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.add(r);
      }
    }
    return rows;
  }

  private static org.apache.hadoop.fs.Path hadoopPath(Path file) {
    return new org.apache.hadoop.fs.Path(file.toUri());
  }

  private static String str(Object value) {
    return value == null ? null : value.toString();
  }
}
