package dev.flashline.io;

import java.io.IOException;
import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.function.Consumer;

/** CSV (RFC 4180, header row) through {@link CsvRecordReader}, which recovers from bad records. */
final class CsvRows {
  private CsvRows() {}

  static void read(Reader in, String file, Consumer<InputRow> sink) throws IOException {
    try (CsvRecordReader csv = new CsvRecordReader(in, file)) {
      csv.header();
      for (CsvRecordReader.Row row = csv.next(); row != null; row = csv.next()) {
        String location = "line " + row.line();
        if (row.ok()) {
          sink.accept(InputRow.ok(file, location, new LinkedHashMap<>(row.values()), row.raw()));
        } else {
          sink.accept(InputRow.broken(file, location, row.raw(), row.error()));
        }
      }
    }
  }
}
