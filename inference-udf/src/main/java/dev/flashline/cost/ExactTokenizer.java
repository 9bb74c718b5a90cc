package dev.flashline.cost;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} loaded with DJL the way counting and serving need it:
 * offline, no special tokens added, never truncated (DJL otherwise cuts silently at 512 tokens,
 * and a count must be exact). Thread-safe.
 */
public final class ExactTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private ExactTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** @param json the contents of a {@code tokenizer.json} */
  public static ExactTokenizer load(InputStream json) throws IOException {
    // DJL otherwise tries the network at start (version checks, usage tracking); all is local.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    return new ExactTokenizer(HuggingFaceTokenizer.newInstance(
        json, Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false")));
  }

  public int[] encode(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
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
