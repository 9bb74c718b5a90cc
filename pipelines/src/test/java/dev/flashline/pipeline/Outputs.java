package dev.flashline.pipeline;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.LabelledRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;

/** Reads a job's output directory back, as a user's next step would. */
public final class Outputs {
  private Outputs() {}

  public static Map<String, LabelledRecord> labels(Path dir) {
    Map<String, LabelledRecord> byId = new LinkedHashMap<>();
    for (LabelledRecord row : read(dir, "labels-*.parquet", LabelledRecord.class)) {
      if (byId.put(row.getId(), row) != null) {
        throw new AssertionError("output row id " + row.getId() + " appears twice");
      }
    }
    return byId;
  }

  /** Every row in the files matching {@code glob}, duplicates included. */
  public static List<LabelledRecord> labelsMatching(Path dir, String glob) {
    return read(dir, glob, LabelledRecord.class);
  }

  public static List<DeadLetter> deadLetters(Path dir) {
    return read(dir, "dead-letters-*.parquet", DeadLetter.class);
  }

  private static <T extends SpecificRecord> List<T> read(Path dir, String glob, Class<T> type) {
    List<T> rows = new ArrayList<>();
    Configuration conf = new Configuration();
    AvroReadSupport.setAvroDataSupplier(conf, org.apache.parquet.avro.SpecificDataSupplier.class);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      for (Path file : files) {
        try (ParquetReader<T> reader =
            AvroParquetReader.<T>builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withDataModel(SpecificData.get())
                .withConf(conf)
                .build()) {
          for (T row = reader.read(); row != null; row = reader.read()) {
            rows.add(row);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
