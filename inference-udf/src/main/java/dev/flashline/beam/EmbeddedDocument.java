package dev.flashline.beam;

import dev.flashline.schema.Document;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * A document with its sentence embedding and what computing it cost, between the embedding step
 * and the step that classifies it.
 *
 * @param vector (dimension), unit length
 * @param cpuSeconds CPU time spent embedding this document
 */
public record EmbeddedDocument(Document document, float[] vector, int tokens, boolean truncated, double cpuSeconds) {

  public static Coder<EmbeddedDocument> coder() {
    return EmbeddedDocumentCoder.INSTANCE;
  }

  /** Writes the vector as raw floats: Java serialization would be several times larger and slower. */
  static final class EmbeddedDocumentCoder extends AtomicCoder<EmbeddedDocument> {
    static final EmbeddedDocumentCoder INSTANCE = new EmbeddedDocumentCoder();
    private static final Coder<Document> DOCUMENT = AvroCoder.of(Document.class);
    private static final Coder<Integer> INT = VarIntCoder.of();
    private static final Coder<Double> DOUBLE = DoubleCoder.of();
    private static final Coder<Boolean> BOOLEAN = BooleanCoder.of();

    @Override
    public void encode(EmbeddedDocument value, OutputStream out) throws IOException {
      DOCUMENT.encode(value.document(), out);
      Vectors.encode(value.vector(), out);
      INT.encode(value.tokens(), out);
      BOOLEAN.encode(value.truncated(), out);
      DOUBLE.encode(value.cpuSeconds(), out);
    }

    @Override
    public EmbeddedDocument decode(InputStream in) throws IOException {
      return new EmbeddedDocument(
          DOCUMENT.decode(in), Vectors.decode(in), INT.decode(in), BOOLEAN.decode(in), DOUBLE.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }
}
