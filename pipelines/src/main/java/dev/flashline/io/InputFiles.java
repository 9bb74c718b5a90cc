package dev.flashline.io;

import dev.flashline.task.JobSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * The files a job will read, checked before any work starts: each exists, is readable, is of a
 * known format, and (where the format has a header or schema) has the job's id and text columns.
 * It also estimates the number of records, for progress.
 */
public record InputFiles(List<String> paths, long estimatedRecords) {

  /** An input that cannot be read at all; the job stops before it starts. */
  public static final class InputException extends Exception {
    public InputException(String message) {
      super(message);
    }
  }

  public static InputFiles resolve(Path input, JobSpec job) throws InputException {
    if (!Files.exists(input)) {
      throw new InputException("input " + input + ": no such file or directory");
    }
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(input)) {
      try (Stream<Path> walk = Files.walk(input)) {
        walk.filter(Files::isRegularFile)
            .filter(path -> !hidden(input.relativize(path)))
            .filter(path -> InputFormat.of(path.getFileName().toString()).isPresent())
            .sorted()
            .forEach(files::add);
      } catch (IOException | UncheckedIOException e) { // walking on reports errors unchecked
        throw new InputException("input " + input + ": cannot list directory: " + e.getMessage());
      }
      if (files.isEmpty()) {
        throw new InputException("input " + input + ": the directory holds no " + InputFormat.supported() + " files");
      }
    } else {
      if (InputFormat.of(input.getFileName().toString()).isEmpty()) {
        throw new InputException(
            "input " + input + ": unsupported file type (expected " + InputFormat.supported() + ")");
      }
      files.add(input);
    }
    long records = 0;
    List<String> paths = new ArrayList<>();
    for (Path file : files) {
      records += check(file, job);
      paths.add(file.toAbsolutePath().normalize().toString());
    }
    return new InputFiles(paths, records);
  }

  /** Names starting with '.' or '_' are metadata (_SUCCESS, .crc files), as in Spark and Hadoop. */
  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  /** Checks one file and returns its (estimated) number of records. */
  private static long check(Path file, JobSpec job) throws InputException {
    if (!Files.isReadable(file)) {
      throw new InputException("input " + file + ": cannot read (permission denied)");
    }
    InputFormat format = InputFormat.of(file.getFileName().toString()).orElseThrow();
    try {
      return switch (format) {
        case PARQUET -> checkParquet(file, job);
        case JSONL -> countLines(file);
        case CSV -> checkCsv(file, job);
      };
    } catch (IOException e) {
      throw new InputException("input " + file + ": cannot read: " + e.getMessage());
    }
  }

  private static long checkParquet(Path file, JobSpec job) throws InputException, IOException {
    ParquetMetadata footer;
    Schema schema;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ParquetFileReader reader = ParquetFileReader.open(new ChannelInputFile(channel))) {
      footer = reader.getFooter();
      // Throws for schemas the Avro reader cannot read either (e.g. Spark's INT96 timestamps).
      schema = new AvroSchemaConverter().convert(footer.getFileMetaData().getSchema());
    } catch (RuntimeException | IOException e) {
      throw new InputException("input " + file + ": not a readable Parquet file: " + e.getMessage());
    }
    List<String> columns = schema.getFields().stream().map(Schema.Field::name).toList();
    requireColumns(file, columns, job);
    return footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }

  private static long checkCsv(Path file, JobSpec job) throws InputException, IOException {
    try (CsvRecordReader csv =
        new CsvRecordReader(
            new InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)),
            file.toString())) {
      requireColumns(file, csv.header(), job);
    } catch (CsvRecordReader.CsvFormatException e) {
      throw new InputException("input " + e.getMessage());
    }
    return Math.max(0, countLines(file) - 1);
  }

  private static void requireColumns(Path file, List<String> columns, JobSpec job) throws InputException {
    for (String field : List.of(job.idField(), job.textField())) {
      if (!columns.contains(field)) {
        throw new InputException(
            "input " + file + ": no column '" + field + "' (the job's "
                + (field.equals(job.idField()) ? "id_field" : "text_field") + "); columns: "
                + String.join(", ", columns));
      }
    }
  }

  /** Non-blank lines: a cheap estimate of records for JSONL (exact) and CSV (exact without multi-line fields). */
  private static long countLines(Path file) throws IOException {
    long lines = 0;
    boolean content = false;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            if (content) {
              lines++;
            }
            content = false;
          } else if (b != '\r' && b != ' ' && b != '\t') {
            content = true;
          }
        }
      }
    }
    return content ? lines + 1 : lines;
  }
}
