package dev.flashline.engine.models;

import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import dev.flashline.engine.layers.ContiguousKvCache;
import dev.flashline.engine.layers.KvCache;
import dev.flashline.engine.layers.RmsNorm;
import dev.flashline.engine.layers.Rope;

/**
 * A Llama-family dense decoder (Llama, Mistral, Qwen2, Qwen3) on the CPU in fp32, read from Hugging
 * Face tensor names. One {@link #forward} runs a varlen batch: prompts being prefilled and
 * sequences decoding one token, together; each token's arithmetic is the same whatever else is in
 * the batch, so batching does not change results.
 */
public final class LlamaModel {
  private final DecoderConfig config;
  private final float[] embedding; // (vocab, hidden)
  private final LlamaDecoderLayer[] layers;
  private final RmsNorm norm;
  private final Linear lmHead; // (vocab, hidden)

  public LlamaModel(DecoderConfig config, Weights weights) {
    this.config = config;
    embedding = LlamaDecoderLayer.vector(
        weights, "model.embed_tokens.weight", Math.multiplyExact(config.vocab(), config.hidden()));
    Rope rope = new Rope(config.headDim(), config.ropeTheta());
    layers = new LlamaDecoderLayer[config.layers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new LlamaDecoderLayer(i, config, weights, rope);
    }
    norm = new RmsNorm(LlamaDecoderLayer.vector(weights, "model.norm.weight", config.hidden()), config.rmsEps());
    lmHead = config.tieEmbeddings()
        ? new F32Linear(embedding, config.vocab(), config.hidden())
        : LlamaDecoderLayer.linear(weights, "lm_head.weight", config.vocab(), config.hidden());
  }

  public DecoderConfig config() {
    return config;
  }

  /** A cache of one growable array per sequence, shaped for this model. */
  public KvCache newContiguousCache() {
    return new ContiguousKvCache(config.layers(), config.kvHeads(), config.headDim());
  }

  /**
   * Runs the batch, extending each sequence's cache, and returns the next-token logits of each
   * sequence's last token.
   *
   * @return (seqs, vocab)
   */
  public float[] forward(VarlenBatch batch, KvCache cache) {
    float[] h = hiddenStates(batch, cache); // (tokens, hidden)
    int[] last = new int[batch.numSeqs()];
    for (int s = 0; s < last.length; s++) {
      last[s] = batch.lastToken(s);
    }
    return logitsAt(h, last);
  }

  /**
   * Logits of chosen token rows only: the output head is the largest matrix, so a step computes
   * it for the rows it samples or scores, not for every token.
   *
   * @param h (tokens, hidden) final-normalised hidden states
   * @param rows which token rows, in the order wanted
   * @return (rows, vocab)
   */
  public float[] logitsAt(float[] h, int[] rows) {
    int d = config.hidden();
    float[] picked = new float[rows.length * d]; // (rows, hidden)
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(h, rows[r] * d, picked, r * d, d);
    }
    return logits(picked, rows.length);
  }

  /**
   * Like {@link #forward} but returns logits after every token, for scoring a given continuation
   * (the label of a classification) in one pass: row {@code t} predicts token {@code t + 1}.
   *
   * @return (tokens, vocab)
   */
  public float[] forwardAllLogits(VarlenBatch batch, KvCache cache) {
    return logits(hiddenStates(batch, cache), batch.numTokens());
  }

  /**
   * The final-normalised hidden states of every token of the batch, extending the cache.
   *
   * @return (tokens, hidden)
   */
  public float[] hiddenStates(VarlenBatch batch, KvCache cache) {
    if (cache.layers() != config.layers()) {
      throw new IllegalArgumentException("cache has " + cache.layers() + " layers, model " + config.layers());
    }
    for (int s = 0; s < batch.numSeqs(); s++) {
      cache.reserve(batch.seqIds()[s], batch.contextLength(s));
    }
    int d = config.hidden();
    int[] tokens = batch.tokens();
    float[] x = new float[tokens.length * d]; // (tokens, hidden)
    for (int t = 0; t < tokens.length; t++) {
      if (tokens[t] < 0 || tokens[t] >= config.vocab()) {
        throw new IllegalArgumentException("token " + tokens[t] + " outside vocabulary of " + config.vocab());
      }
      System.arraycopy(embedding, tokens[t] * d, x, t * d, d);
    }
    int[] tokenSeq = batch.tokenSeq();
    for (LlamaDecoderLayer layer : layers) {
      layer.forward(x, batch, tokenSeq, cache);
    }
    norm.applyInPlace(x);
    return x;
  }

  /**
   * @param h (rows, hidden) final-normalised hidden states
   * @return (rows, vocab)
   */
  public float[] logits(float[] h, int rows) {
    float[] out = new float[rows * config.vocab()];
    lmHead.apply(h, out, rows);
    return out;
  }
}
