package dev.flashline.io;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Parquet rows as Avro generic records, whatever the file's schema. A decoding error part-way
 * through a file ends that file (Parquet cannot resynchronise inside a page); it is reported
 * with the number of the row where it happened.
 */
final class ParquetRows {
  private ParquetRows() {}

  static void read(SeekableByteChannel channel, String file, Consumer<InputRow> sink) throws IOException {
    long row = 0;
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new ChannelInputFile(channel))
            .withDataModel(GenericData.get())
            .build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        row++;
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
          Object value = record.get(field.pos());
          fields.put(field.name(), value instanceof CharSequence ? value.toString() : value);
        }
        sink.accept(InputRow.ok(file, "row " + row, fields, record.toString()));
      }
    } catch (IOException | RuntimeException e) {
      String location = "row " + (row + 1);
      sink.accept(
          InputRow.broken(
              file, location, null, file + " " + location + ": unreadable Parquet, the rest of the file is lost: " + e));
    }
  }
}
