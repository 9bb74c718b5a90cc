package dev.flashline.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What a job writes into its output directory. A rerun into the same directory first removes the
 * previous run's files (and only those), so old and new shards are never mixed.
 */
public final class OutputLayout {
  public static final String LABELS_PREFIX = "labels";
  public static final String DEAD_LETTERS_PREFIX = "dead-letters";
  public static final String COST_REPORT = "cost-report.json";
  /** Scratch space for the job's totals before the report is assembled. */
  public static final String WORK_DIR = ".flashline";

  private OutputLayout() {}

  public static void prepare(Path output) throws IOException {
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new IOException("output " + output + " exists and is not a directory");
    }
    Files.createDirectories(output);
    try (DirectoryStream<Path> previous =
        Files.newDirectoryStream(
            output, "{" + LABELS_PREFIX + "-*.parquet," + DEAD_LETTERS_PREFIX + "-*.parquet," + COST_REPORT + "}")) {
      for (Path file : previous) {
        Files.delete(file);
      }
    }
    deleteRecursively(output.resolve(WORK_DIR));
  }

  /**
   * Removes the scratch space and the empty temporary directories Beam's file sinks leave behind.
   */
  public static void finish(Path output) throws IOException {
    deleteRecursively(output.resolve(WORK_DIR));
    try (DirectoryStream<Path> temporary = Files.newDirectoryStream(output, ".temp-beam*")) {
      for (Path dir : temporary) {
        try (Stream<Path> left = Files.list(dir)) {
          if (left.findAny().isEmpty()) {
            Files.delete(dir);
          }
        }
      }
    }
  }

  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
