package dev.flashline.engine.serve;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.flashline.engine.loader.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A checkpoint's own tokenizer ({@code tokenizer.json} beside its weights), exact: no truncation. */
public final class ModelTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private ModelTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** @throws CheckpointException when the directory has no usable tokenizer.json */
  public static ModelTokenizer open(Path modelDir) {
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(modelDir + ": no tokenizer.json; serving needs the model's tokenizer beside its weights");
    }
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", System.getProperty("OPT_OUT_TRACKING", "true"));
    try (InputStream json = Files.newInputStream(file)) {
      return new ModelTokenizer(HuggingFaceTokenizer.newInstance(
          json, Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false")));
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(file + ": cannot load the tokenizer: " + e.getMessage());
    }
  }

  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  public String decode(int[] ids) {
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
