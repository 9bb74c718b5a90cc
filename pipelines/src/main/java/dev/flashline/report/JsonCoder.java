package dev.flashline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;

/** Encodes a plain Jackson-mappable value as JSON bytes; the same form the launcher reads back. */
final class JsonCoder<T> extends CustomCoder<T> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Class<T> type;

  private JsonCoder(Class<T> type) {
    this.type = type;
  }

  static <T> JsonCoder<T> of(Class<T> type) {
    return new JsonCoder<>(type);
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    ByteArrayCoder.of().encode(JSON.writeValueAsBytes(value), out);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    return JSON.readValue(ByteArrayCoder.of().decode(in), type);
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of();
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    throw new NonDeterministicException(this, "JSON field order is not guaranteed");
  }
}
