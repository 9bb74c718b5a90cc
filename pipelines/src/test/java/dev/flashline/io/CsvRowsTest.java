package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowsTest {

  @Test
  void recordsBecomeRowsWithLineLocations() throws IOException {
    List<InputRow> rows = read("id,text\n1,\"a\nb\"\n2,c\"d\n3,e\n");
    assertThat(rows).extracting(InputRow::location).containsExactly("line 2", "line 4", "line 5");
    assertThat(rows).extracting(InputRow::ok).containsExactly(true, false, true);
    assertThat(rows.get(0).fields()).containsEntry("id", "1").containsEntry("text", "a\nb");
    assertThat(rows.get(0).payload()).isEqualTo("1,\"a\nb\"");
    InputRow bad = rows.get(1);
    assertThat(bad.fields()).isEmpty();
    assertThat(bad.payload()).isEqualTo("2,c\"d");
    assertThat(bad.error()).startsWith("f.csv line 4: column 2 (\"text\"): quote inside unquoted field");
    assertThat(rows.get(2).where()).isEqualTo("f.csv line 5");
  }

  @Test
  void badHeaderFailsTheFile() {
    assertThatThrownBy(() -> read("id,id\n1,2\n"))
        .isInstanceOf(CsvRecordReader.CsvFormatException.class)
        .hasMessageContaining("f.csv line 1");
  }

  private static List<InputRow> read(String csv) throws IOException {
    List<InputRow> rows = new ArrayList<>();
    CsvRows.read(new StringReader(csv), "f.csv", rows::add);
    return rows;
  }
}
