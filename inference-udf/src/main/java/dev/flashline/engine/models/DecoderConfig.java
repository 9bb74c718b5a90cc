package dev.flashline.engine.models;

/**
 * The shape of a Llama-family dense decoder (Llama, Mistral, Qwen2, Qwen3), as its {@code
 * config.json} gives it. {@code headDim} is separate from {@code hidden / heads} because Qwen3 and
 * some Mistral models differ.
 */
public record DecoderConfig(
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocab,
    float rmsEps,
    double ropeTheta,
    boolean tieEmbeddings) {

  /** The decoder a checkpoint's {@code config.json} describes. */
  public static DecoderConfig of(dev.flashline.engine.loader.ModelConfig config) {
    if (config.isEncoder()) {
      throw new IllegalArgumentException(config.architecture() + " is an encoder, not a decoder");
    }
    return new DecoderConfig(
        config.hiddenSize(), config.intermediateSize(), config.numHiddenLayers(), config.numAttentionHeads(),
        config.numKeyValueHeads(), config.headDim(), config.vocabSize(), (float) config.rmsNormEps(), config.ropeTheta(),
        config.tieWordEmbeddings());
  }

  public DecoderConfig {
    requirePositive("hidden", hidden);
    requirePositive("intermediate", intermediate);
    requirePositive("layers", layers);
    requirePositive("heads", heads);
    requirePositive("kvHeads", kvHeads);
    requirePositive("headDim", headDim);
    requirePositive("vocab", vocab);
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("headDim must be even for rotary embedding: " + headDim);
    }
    if (!(rmsEps > 0)) {
      throw new IllegalArgumentException("rmsEps must be positive: " + rmsEps);
    }
    if (!(ropeTheta > 0)) {
      throw new IllegalArgumentException("ropeTheta must be positive: " + ropeTheta);
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
