package dev.flashline.task;

import java.io.Serializable;

/**
 * Settings of the embedded local backend.
 *
 * @param model which bundled encoder to run (see {@code EncoderModelSpec})
 * @param adaptSample how many unlabelled input records (a deterministic hash sample) the few-shot
 *     classifier may look at to adapt to the data: estimate the class balance and add confidently
 *     labelled records as extra prototypes. 0 turns adaptation off (the classifier then uses only
 *     the examples and label descriptions).
 */
public record LocalSpec(String model, Integer adaptSample) implements Serializable {
  public static final String DEFAULT_MODEL = "e5-small-v2-q";
  public static final int DEFAULT_ADAPT_SAMPLE = 2000;
  public static final int MAX_ADAPT_SAMPLE = 20_000;

  public LocalSpec {
    if (model == null || model.isBlank()) {
      model = DEFAULT_MODEL;
    }
    if (adaptSample == null) {
      adaptSample = DEFAULT_ADAPT_SAMPLE;
    }
    if (adaptSample < 0 || adaptSample > MAX_ADAPT_SAMPLE) {
      throw new IllegalArgumentException(
          "local.adapt_sample must be between 0 and " + MAX_ADAPT_SAMPLE + ", got " + adaptSample);
    }
  }

  public static LocalSpec defaults() {
    return new LocalSpec(null, null);
  }
}
