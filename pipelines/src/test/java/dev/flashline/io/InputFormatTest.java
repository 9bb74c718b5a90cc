package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InputFormatTest {

  @Test
  void recognisesEachExtension() {
    assertThat(InputFormat.of("data.parquet")).contains(InputFormat.PARQUET);
    assertThat(InputFormat.of("data.jsonl")).contains(InputFormat.JSONL);
    assertThat(InputFormat.of("data.ndjson")).contains(InputFormat.JSONL);
    assertThat(InputFormat.of("data.csv")).contains(InputFormat.CSV);
  }

  @Test
  void extensionsAreCaseInsensitive() {
    assertThat(InputFormat.of("DATA.PARQUET")).contains(InputFormat.PARQUET);
    assertThat(InputFormat.of("Part-0.JsonL")).contains(InputFormat.JSONL);
    assertThat(InputFormat.of("x.NDJSON")).contains(InputFormat.JSONL);
    assertThat(InputFormat.of("Export.CSV")).contains(InputFormat.CSV);
  }

  @Test
  void unknownExtensionsAreNotRecognised() {
    assertThat(InputFormat.of("data.json")).isEmpty();
    assertThat(InputFormat.of("data.txt")).isEmpty();
    assertThat(InputFormat.of("data.csv.gz")).isEmpty();
    assertThat(InputFormat.of("data.parquet.crc")).isEmpty();
    assertThat(InputFormat.of("csv")).isEmpty();
    assertThat(InputFormat.of("_SUCCESS")).isEmpty();
  }

  @Test
  void onlyTheEndOfTheNameCounts() {
    assertThat(InputFormat.of("data.csv.jsonl")).contains(InputFormat.JSONL);
    assertThat(InputFormat.of("my.parquet.files.csv")).contains(InputFormat.CSV);
  }

  @Test
  void supportedNamesEveryExtension() {
    assertThat(InputFormat.supported()).contains("*.parquet", "*.jsonl", "*.ndjson", "*.csv");
  }
}
