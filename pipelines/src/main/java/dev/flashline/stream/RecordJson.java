package dev.flashline.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes an Avro record as plain JSON with its schema's field names (unions unwrapped, enums as
 * their names): the shape consumers expect on a topic, unlike Avro's own JSON encoding, which
 * wraps every nullable value in a type tag.
 */
public final class RecordJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RecordJson() {}

  public static byte[] bytes(IndexedRecord record) {
    try {
      return JSON.writeValueAsBytes(node(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + record.getSchema().getName() + " as JSON", e);
    }
  }

  static ObjectNode node(IndexedRecord record) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      out.set(field.name(), value(record.get(field.pos())));
    }
    return out;
  }

  private static JsonNode value(Object value) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (value == null) {
      return nodes.nullNode();
    }
    if (value instanceof IndexedRecord nested) {
      return node(nested);
    }
    if (value instanceof Collection<?> list) {
      ArrayNode out = nodes.arrayNode();
      list.forEach(item -> out.add(value(item)));
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode out = nodes.objectNode();
      map.forEach((k, v) -> out.set(String.valueOf(k), value(v)));
      return out;
    }
    if (value instanceof Double d) {
      return nodes.numberNode(d);
    }
    if (value instanceof Float f) {
      return nodes.numberNode(f);
    }
    if (value instanceof Long l) {
      return nodes.numberNode(l);
    }
    if (value instanceof Integer i) {
      return nodes.numberNode(i);
    }
    if (value instanceof Boolean b) {
      return nodes.booleanNode(b);
    }
    // Strings, enums (generated or generic) and anything else Avro holds as text.
    return nodes.textNode(value.toString());
  }
}
