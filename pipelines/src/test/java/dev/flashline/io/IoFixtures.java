package dev.flashline.io;

import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;

/** Job specs and Parquet files for the io tests. */
final class IoFixtures {
  private IoFixtures() {}

  /** A classify job reading doc_id, body and (gold) truth. */
  static JobSpec job() {
    return parse(
        """
        name: test-job
        task: classify
        id_field: doc_id
        text_field: body
        gold_field: truth
        labels:
          - name: a
          - name: b
        """);
  }

  /** A summarise job with the default field names (id, text) and no gold field. */
  static JobSpec defaultFieldsJob() {
    return parse(
        """
        name: summaries
        task: summarise
        """);
  }

  static JobSpec parse(String yaml) {
    try {
      return JobSpecLoader.parse(yaml, "test.yaml");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** doc_id and body as strings, truth as an optional string. */
  static final Schema DOC_SCHEMA =
      SchemaBuilder.record("Doc")
          .fields()
          .requiredString("doc_id")
          .requiredString("body")
          .optionalString("truth")
          .endRecord();

  static GenericRecord doc(String id, String body, String truth) {
    GenericRecord record = new GenericData.Record(DOC_SCHEMA);
    record.put("doc_id", id);
    record.put("body", body);
    record.put("truth", truth);
    return record;
  }

  /** Writes the records as Parquet and removes the .crc file Hadoop leaves next to it. */
  static Path writeParquet(Path file, Schema schema, List<GenericRecord> records) throws IOException {
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withSchema(schema)
            .withConf(new Configuration())
            .build()) {
      for (GenericRecord record : records) {
        writer.write(record);
      }
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    return file;
  }
}
