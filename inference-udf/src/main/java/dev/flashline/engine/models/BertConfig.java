package dev.flashline.engine.models;

/**
 * The shape of a BERT-style encoder (BERT, e5, MiniLM; XLM-RoBERTa with {@code positionOffset} 2,
 * because RoBERTa numbers positions from {@code padding_idx + 1}).
 */
public record BertConfig(
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int vocab,
    int maxPositions,
    int typeVocab,
    float layerNormEps,
    int positionOffset) {

  public BertConfig {
    if (hidden <= 0 || intermediate <= 0 || layers <= 0 || heads <= 0 || vocab <= 0
        || maxPositions <= 0 || typeVocab <= 0) {
      throw new IllegalArgumentException("all sizes must be positive: " + this);
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException("hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
    }
    if (!(layerNormEps > 0)) {
      throw new IllegalArgumentException("layerNormEps must be positive: " + layerNormEps);
    }
    if (positionOffset < 0 || positionOffset >= maxPositions) {
      throw new IllegalArgumentException("positionOffset " + positionOffset + " outside [0, " + maxPositions + ")");
    }
  }

  public int headDim() {
    return hidden / heads;
  }
}
