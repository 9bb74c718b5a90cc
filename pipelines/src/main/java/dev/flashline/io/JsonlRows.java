package dev.flashline.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** JSON Lines: one JSON object per line; a bad line is reported and the next one read. */
final class JsonlRows {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonlRows() {}

  static void read(BufferedReader in, String file, Consumer<InputRow> sink) throws IOException {
    long lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1); // a byte order mark, which Jackson rejects
      }
      if (line.isBlank()) {
        continue;
      }
      String location = "line " + lineNumber;
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        sink.accept(InputRow.broken(file, location, line, file + " " + location + ": not valid JSON: " + e.getOriginalMessage()));
        continue;
      }
      if (!node.isObject()) {
        sink.accept(
            InputRow.broken(
                file, location, line, file + " " + location + ": expected a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        continue;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      node.fields().forEachRemaining(field -> fields.put(field.getKey(), value(field.getValue())));
      sink.accept(InputRow.ok(file, location, fields, line));
    }
  }

  private static Object value(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.numberValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node; // object or array: kept as is, so the mapper can say the field has the wrong type
  }
}
