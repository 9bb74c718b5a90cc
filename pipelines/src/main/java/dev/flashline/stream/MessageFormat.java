package dev.flashline.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecordBase;

/** How message values are encoded on the topics. */
public enum MessageFormat {
  /** A JSON object per message: the job's id, text and gold fields in, the row's fields out. */
  json,
  /**
   * Avro single-object encoding (magic, schema fingerprint, binary datum) with the schemas in
   * {@code schemas/}: {@code Document} in, {@code LabelledRecord} and {@code DeadLetter} out.
   */
  avro;

  /** A row or dead letter as a message value. */
  public byte[] encode(SpecificRecordBase record) {
    if (this == json) {
      return RecordJson.bytes(record);
    }
    try {
      ByteBuffer buffer =
          record instanceof dev.flashline.schema.LabelledRecord row ? row.toByteBuffer()
              : ((dev.flashline.schema.DeadLetter) record).toByteBuffer();
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static MessageFormat parse(String value) {
    try {
      return valueOf(value.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown message format '" + value + "' (known: json, avro)");
    }
  }
}
