package dev.flashline.io;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The input file formats, recognised by extension. */
public enum InputFormat {
  PARQUET(List.of(".parquet")),
  JSONL(List.of(".jsonl", ".ndjson")),
  CSV(List.of(".csv"));

  private final List<String> extensions;

  InputFormat(List<String> extensions) {
    this.extensions = extensions;
  }

  public static Optional<InputFormat> of(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (InputFormat format : values()) {
      if (format.extensions.stream().anyMatch(lower::endsWith)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }

  public static String supported() {
    return "*.parquet, *.jsonl, *.ndjson, *.csv";
  }
}
