package dev.flashline.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.io.DocumentMapper;
import dev.flashline.io.InputRow;
import dev.flashline.schema.Document;
import dev.flashline.task.JobSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one Kafka message into a {@link Document}, or says exactly why it cannot be one (a
 * poison message): not UTF-8, not a JSON object, no text, no id, the wrong Avro schema, too big.
 * The message key is the record id unless the value carries the job's id field.
 */
public final class MessageDecoder implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final int MAX_PAYLOAD_CHARS = 64 * 1024;

  private final JobSpec job;
  private final MessageFormat format;
  private final int maxMessageBytes;
  private final DocumentMapper mapper;
  /** A JSON field copied into the document's metadata (the deferral mark), or null. */
  private final String carriedField;

  /** A document, or the reason and the original payload (as text) of a poison message. */
  public record Decoded(Document document, String recordId, String error, String payload) {}

  public MessageDecoder(JobSpec job, MessageFormat format, int maxMessageBytes) {
    this(job, format, maxMessageBytes, null);
  }

  /**
   * @param carriedField a JSON message field whose value (a string, number or boolean) is copied
   *     into the document's metadata, so later steps can read it (the {@code --defer-field}); an
   *     Avro Document carries it in its own metadata. Null for none.
   */
  public MessageDecoder(JobSpec job, MessageFormat format, int maxMessageBytes, String carriedField) {
    this.carriedField = carriedField;
    this.job = job;
    this.format = format;
    this.maxMessageBytes = maxMessageBytes;
    this.mapper = new DocumentMapper(job);
  }

  public Decoded decode(KafkaPosition position, String key, byte[] value) {
    String where = position.toString();
    if (value == null) {
      return poison(key, where + ": the message has no value (a tombstone?)", null);
    }
    if (value.length > maxMessageBytes) {
      return poison(key, where + ": the message is " + value.length + " bytes, over the limit of " + maxMessageBytes
          + " (--max-message-bytes)", payload(value));
    }
    return format == MessageFormat.avro ? decodeAvro(position, key, value) : decodeJson(position, key, value);
  }

  private Decoded decodeJson(KafkaPosition position, String key, byte[] value) {
    String text = utf8(value);
    if (text == null) {
      return poison(key, position + ": the value is not UTF-8 text", payload(value));
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return poison(key, position + ": the value is not valid JSON: " + e.getOriginalMessage(), truncate(text));
    }
    if (node == null || !node.isObject()) {
      return poison(key, position + ": the value must be a JSON object", truncate(text));
    }
    Map<String, Object> fields = JSON.convertValue(node, LinkedHashMap.class);
    if (!fields.containsKey(job.idField()) && key != null && !key.isBlank()) {
      fields.put(job.idField(), key);
    }
    DocumentMapper.Mapped mapped = mapper.map(InputRow.ok(position.topic(), "partition " + position.partition() + " offset " + position.offset(), fields, text));
    if (mapped.error() != null) {
      return new Decoded(null, mapped.idFromRecord() ? mapped.id() : key, mapped.error(), truncate(text));
    }
    return new Decoded(withCarriedField(mapped.document(), fields), mapped.id(), null, null);
  }

  private Document withCarriedField(Document document, Map<String, Object> fields) {
    Object value = carriedField == null ? null : fields.get(carriedField);
    if (!(value instanceof CharSequence || value instanceof Number || value instanceof Boolean)) {
      return document;
    }
    Map<String, String> metadata = new LinkedHashMap<>(document.getMetadata());
    metadata.put(carriedField, value.toString());
    document.setMetadata(metadata);
    return document;
  }

  private Decoded decodeAvro(KafkaPosition position, String key, byte[] value) {
    Document document;
    try {
      document = Document.fromByteBuffer(ByteBuffer.wrap(value));
    } catch (IOException | RuntimeException e) {
      return poison(key, position + ": the value is not an Avro Document in single-object encoding (" + e.getMessage() + ")", payload(value));
    }
    if (document.getId() == null || document.getId().isBlank()) {
      if (key == null || key.isBlank()) {
        return poison(key, position + ": the Document has no id and the message no key", payload(value));
      }
      document.setId(key);
    }
    if (document.getText() == null || document.getText().isBlank()) {
      return new Decoded(null, document.getId(), "record '" + document.getId() + "' (" + position + "): field 'text' is empty", payload(value));
    }
    document.setSource(position.toString());
    return new Decoded(document, document.getId(), null, null);
  }

  private static Decoded poison(String key, String error, String payload) {
    return new Decoded(null, key, error, payload);
  }

  /** The payload as text when it is UTF-8, else Base64 (marked), at most 64 Ki characters. */
  static String payload(byte[] value) {
    String text = utf8(value);
    return truncate(text != null ? text : "base64:" + Base64.getEncoder().encodeToString(value));
  }

  /** The bytes as strict UTF-8 text, or null when they are not UTF-8. */
  private static String utf8(byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String truncate(String text) {
    return text.length() <= MAX_PAYLOAD_CHARS ? text : text.substring(0, MAX_PAYLOAD_CHARS) + "…[truncated]";
  }
}
