package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.schema.Document;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentMapperTest {

  private final DocumentMapper mapper = new DocumentMapper(IoFixtures.job());

  @Test
  void mapsTheJobsIdTextAndGoldFields() {
    DocumentMapper.Mapped mapped =
        mapper.map(row(Map.of("doc_id", "d7", "body", "Hello there", "truth", " spam ", "other", "x")));
    assertThat(mapped.error()).isNull();
    assertThat(mapped.id()).isEqualTo("d7");
    Document doc = mapped.document();
    assertThat(doc.getId()).isEqualTo("d7");
    assertThat(doc.getText()).isEqualTo("Hello there");
    assertThat(doc.getGoldLabel()).isEqualTo("spam");
    assertThat(doc.getSource()).isEqualTo("in.jsonl line 3");
  }

  @Test
  void defaultFieldNamesAndNoGoldField() {
    DocumentMapper defaults = new DocumentMapper(IoFixtures.defaultFieldsJob());
    Document doc = defaults.map(row(Map.of("id", "a", "text", "t", "truth", "spam"))).document();
    assertThat(doc.getId()).isEqualTo("a");
    assertThat(doc.getText()).isEqualTo("t");
    assertThat(doc.getGoldLabel()).isNull();
    // the custom names of another job are not looked at
    assertThat(mapper.map(row(Map.of("id", "a", "text", "t"))).document()).isNull();
  }

  @Test
  void numericIdsBecomeStrings() {
    assertThat(mapper.map(row(Map.of("doc_id", 42, "body", "t"))).document().getId()).isEqualTo("42");
    assertThat(mapper.map(row(Map.of("doc_id", 9_000_000_000L, "body", "t"))).id()).isEqualTo("9000000000");
    assertThat(mapper.map(row(Map.of("doc_id", 1.5, "body", "t"))).id()).isEqualTo("1.5");
  }

  @Test
  void missingIdNamesFileLocationAndField() {
    DocumentMapper.Mapped mapped = mapper.map(row(Map.of("body", "t")));
    assertThat(mapped.document()).isNull();
    assertThat(mapped.id()).isEqualTo("in.jsonl line 3");
    assertThat(mapped.error()).isEqualTo("in.jsonl line 3: field 'doc_id' is missing");
    Map<String, Object> nullId = new HashMap<>();
    nullId.put("doc_id", null);
    nullId.put("body", "t");
    assertThat(mapper.map(row(nullId)).error()).isEqualTo("in.jsonl line 3: field 'doc_id' is missing");
  }

  @Test
  void blankOrStructuredIdIsAnError() throws Exception {
    assertThat(mapper.map(row(Map.of("doc_id", "  ", "body", "t"))).error())
        .isEqualTo("in.jsonl line 3: field 'doc_id' is empty");
    Object object = new ObjectMapper().readTree("{\"a\":1}");
    DocumentMapper.Mapped mapped = mapper.map(row(Map.of("doc_id", object, "body", "t")));
    assertThat(mapped.document()).isNull();
    assertThat(mapped.error()).isEqualTo("in.jsonl line 3: field 'doc_id' must be a string or number");
  }

  @Test
  void emptyTextNamesTheRecord() {
    DocumentMapper.Mapped mapped = mapper.map(row(Map.of("doc_id", "X", "body", "")));
    assertThat(mapped.document()).isNull();
    assertThat(mapped.id()).isEqualTo("X");
    assertThat(mapped.error()).isEqualTo("record 'X' (in.jsonl line 3): field 'body' is empty");
    assertThat(mapper.map(row(Map.of("doc_id", "X", "body", " \t\n"))).error())
        .endsWith("field 'body' is empty");
  }

  @Test
  void missingTextIsAnError() {
    assertThat(mapper.map(row(Map.of("doc_id", "X"))).error())
        .isEqualTo("record 'X' (in.jsonl line 3): field 'body' is missing");
    Map<String, Object> nullText = new HashMap<>();
    nullText.put("doc_id", "X");
    nullText.put("body", null);
    assertThat(mapper.map(row(nullText)).error())
        .isEqualTo("record 'X' (in.jsonl line 3): field 'body' is missing");
  }

  @Test
  void structuredTextIsAnErrorButScalarsAreText() throws Exception {
    Object object = new ObjectMapper().readTree("{\"nested\":\"hi\"}");
    DocumentMapper.Mapped mapped = mapper.map(row(Map.of("doc_id", "X", "body", object)));
    assertThat(mapped.document()).isNull();
    assertThat(mapped.error()).isEqualTo("record 'X' (in.jsonl line 3): field 'body' must be a string");
    assertThat(mapper.map(row(Map.of("doc_id", "X", "body", 12))).document().getText()).isEqualTo("12");
  }

  @Test
  void blankOrMissingGoldIsNull() {
    assertThat(mapper.map(row(Map.of("doc_id", "X", "body", "t", "truth", "   "))).document().getGoldLabel())
        .isNull();
    assertThat(mapper.map(row(Map.of("doc_id", "X", "body", "t"))).document().getGoldLabel()).isNull();
    assertThat(mapper.map(row(Map.of("doc_id", "X", "body", "t", "truth", 1))).document().getGoldLabel())
        .isEqualTo("1");
  }

  private static InputRow row(Map<String, Object> fields) {
    return InputRow.ok("in.jsonl", "line 3", new LinkedHashMap<>(fields), "{}");
  }
}
