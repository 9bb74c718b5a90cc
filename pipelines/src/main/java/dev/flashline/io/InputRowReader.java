package dev.flashline.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Reads the rows of resolved input files outside a pipeline (for example for {@code flashline
 * estimate}), with the same readers and the same handling of bad records as the Beam job: a record
 * that cannot be read becomes an {@link InputRow#broken} row, and the rest of the file is read.
 */
public final class InputRowReader {
  private static final int BUFFER = 1 << 20;

  private InputRowReader() {}

  /** Every row of every file, in file order. */
  public static void forEach(InputFiles files, Consumer<InputRow> sink) throws IOException {
    for (String path : files.paths()) {
      read(Path.of(path), sink);
    }
  }

  /** The rows of one file of a supported format. */
  public static void read(Path file, Consumer<InputRow> sink) throws IOException {
    String name = file.getFileName().toString();
    InputFormat format =
        InputFormat.of(name).orElseThrow(() -> new IOException(file + ": unsupported file type"));
    switch (format) {
      case PARQUET -> {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
          ParquetRows.read(channel, name, sink);
        }
      }
      case JSONL -> {
        try (BufferedReader in = new BufferedReader(reader(file), BUFFER)) {
          JsonlRows.read(in, name, sink);
        }
      }
      case CSV -> {
        try (BufferedReader in = new BufferedReader(reader(file), BUFFER)) {
          CsvRows.read(in, name, sink);
        }
      }
    }
  }

  /** Invalid UTF-8 becomes U+FFFD, as in the pipeline. */
  private static Reader reader(Path file) throws IOException {
    return Channels.newReader(
        FileChannel.open(file, StandardOpenOption.READ),
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE),
        BUFFER);
  }
}
