package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlRowsTest {

  private static final String FILE = "in.jsonl";

  @Test
  void goodLinesBecomeFieldsWithTheirTypes() throws IOException {
    List<InputRow> rows =
        read(
            "{\"id\":\"a\",\"n\":3,\"x\":2.5,\"big\":123456789012345678901,\"ok\":true,\"none\":null,"
                + "\"obj\":{\"k\":[1,2]},\"arr\":[\"p\"]}\n");
    assertThat(rows).hasSize(1);
    InputRow row = rows.get(0);
    assertThat(row.ok()).isTrue();
    assertThat(row.error()).isNull();
    assertThat(row.file()).isEqualTo(FILE);
    assertThat(row.location()).isEqualTo("line 1");
    assertThat(row.where()).isEqualTo("in.jsonl line 1");
    assertThat(row.fields().keySet()).containsExactly("id", "n", "x", "big", "ok", "none", "obj", "arr");
    assertThat(row.fields().get("id")).isEqualTo("a");
    assertThat(row.fields().get("n")).isEqualTo(3);
    assertThat(row.fields().get("x")).isEqualTo(2.5);
    assertThat(row.fields().get("big")).isEqualTo(new BigInteger("123456789012345678901"));
    assertThat(row.fields().get("ok")).isEqualTo(true);
    assertThat(row.fields()).containsKey("none");
    assertThat(row.fields().get("none")).isNull();
    assertThat(row.fields().get("obj")).isInstanceOf(JsonNode.class);
    assertThat(((JsonNode) row.fields().get("obj")).get("k").get(1).asInt()).isEqualTo(2);
    assertThat(row.fields().get("arr")).isInstanceOfSatisfying(JsonNode.class, n -> assertThat(n.isArray()).isTrue());
    assertThat(row.payload()).startsWith("{\"id\":\"a\"").endsWith("\"arr\":[\"p\"]}");
  }

  @Test
  void blankLinesAreSkippedButCounted() throws IOException {
    List<InputRow> rows = read("\n{\"id\":1}\n   \n\t\r\n{\"id\":2}\r\n\n{\"id\":3}");
    assertThat(rows).extracting(InputRow::location).containsExactly("line 2", "line 5", "line 7");
    assertThat(rows).extracting(InputRow::ok).containsOnly(true);
    assertThat(rows).extracting(row -> row.fields().get("id")).containsExactly(1, 2, 3);
  }

  @Test
  void invalidJsonIsABrokenRowNamingFileAndLine() throws IOException {
    List<InputRow> rows = read("{\"id\":1}\n{\"id\": 2,\n");
    InputRow bad = rows.get(1);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.fields()).isEmpty();
    assertThat(bad.location()).isEqualTo("line 2");
    assertThat(bad.payload()).isEqualTo("{\"id\": 2,");
    assertThat(bad.error()).startsWith("in.jsonl line 2: not valid JSON: ");
  }

  @Test
  void nonObjectLinesAreBroken() throws IOException {
    List<InputRow> rows = read("[1,2]\n\"text\"\n42\nnull\n");
    assertThat(rows).extracting(InputRow::ok).containsOnly(false);
    assertThat(rows.get(0).error()).isEqualTo("in.jsonl line 1: expected a JSON object, got array");
    assertThat(rows.get(1).error()).isEqualTo("in.jsonl line 2: expected a JSON object, got string");
    assertThat(rows.get(2).error()).contains("line 3", "expected a JSON object", "number");
    assertThat(rows.get(3).error()).contains("line 4", "expected a JSON object", "null");
    assertThat(rows.get(0).payload()).isEqualTo("[1,2]");
  }

  @Test
  void trailingTokensAfterTheObjectAreAnError() throws IOException {
    List<InputRow> rows = read("{\"id\":1} x\n{\"id\":2}{\"id\":3}\n{\"id\":4}   \n");
    assertThat(rows).extracting(InputRow::ok).containsExactly(false, false, true);
    assertThat(rows.get(0).error()).startsWith("in.jsonl line 1: not valid JSON");
    assertThat(rows.get(1).error()).startsWith("in.jsonl line 2: not valid JSON");
    assertThat(rows.get(2).fields()).containsEntry("id", 4);
  }

  @Test
  void laterLinesAreStillReadAfterErrors() throws IOException {
    List<InputRow> rows = read("oops\n{\"id\":\"a\"}\n{broken\n[]\n{\"id\":\"b\"}\n");
    assertThat(rows).extracting(InputRow::ok).containsExactly(false, true, false, false, true);
    assertThat(rows).extracting(InputRow::location)
        .containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
    assertThat(rows.get(4).fields()).containsEntry("id", "b");
  }

  @Test
  void byteOrderMarkOnTheFirstLineIsIgnored() throws IOException {
    List<InputRow> rows = read("\uFEFF{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    assertThat(rows).extracting(InputRow::ok).containsExactly(true, true);
    assertThat(rows.get(0).fields()).containsEntry("id", "a");
    assertThat(rows.get(0).payload()).isEqualTo("{\"id\":\"a\"}");
  }

  @Test
  void emptyInputGivesNoRows() throws IOException {
    assertThat(read("")).isEmpty();
    assertThat(read("\n\n  \n")).isEmpty();
  }

  private static List<InputRow> read(String text) throws IOException {
    List<InputRow> rows = new ArrayList<>();
    JsonlRows.read(new BufferedReader(new StringReader(text)), FILE, rows::add);
    return rows;
  }
}
