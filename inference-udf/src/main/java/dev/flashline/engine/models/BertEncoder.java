package dev.flashline.engine.models;

import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import dev.flashline.engine.layers.BidirectionalAttention;
import dev.flashline.engine.layers.Gelu;
import dev.flashline.engine.layers.LayerNorm;

/**
 * A BERT encoder on the CPU in fp32, as sentence-embedding models (e5) use it: word + position +
 * token-type embeddings and LayerNorm, then post-norm layers of biased multi-head self-attention
 * and a GELU MLP. Several texts run in one call packed end to end (varlen), so no padding is
 * computed. Tensor names are Hugging Face's, with or without the {@code bert.} prefix.
 */
public final class BertEncoder {
  private final BertConfig config;
  private final float[] words; // (vocab, hidden)
  private final float[] positions; // (maxPositions, hidden)
  private final float[] types; // (typeVocab, hidden)
  private final LayerNorm embeddingNorm;
  private final Layer[] layers;

  /** The tensors of one encoder layer. */
  private record Layer(
      Linear q, float[] qBias,
      Linear k, float[] kBias,
      Linear v, float[] vBias,
      Linear o, float[] oBias,
      LayerNorm attentionNorm,
      Linear intermediate, float[] intermediateBias,
      Linear output, float[] outputBias,
      LayerNorm outputNorm) {}

  public BertEncoder(BertConfig config, Weights w) {
    this.config = config;
    String p = w.has("embeddings.word_embeddings.weight") ? "" : "bert.";
    int d = config.hidden();
    words = LlamaDecoderLayer.vector(w, p + "embeddings.word_embeddings.weight", Math.multiplyExact(config.vocab(), d));
    positions = LlamaDecoderLayer.vector(w, p + "embeddings.position_embeddings.weight", Math.multiplyExact(config.maxPositions(), d));
    types = LlamaDecoderLayer.vector(w, p + "embeddings.token_type_embeddings.weight", Math.multiplyExact(config.typeVocab(), d));
    embeddingNorm = layerNorm(w, p + "embeddings.LayerNorm.", config);
    layers = new Layer[config.layers()];
    for (int i = 0; i < layers.length; i++) {
      String l = p + "encoder.layer." + i + ".";
      int inter = config.intermediate();
      layers[i] = new Layer(
          LlamaDecoderLayer.linear(w, l + "attention.self.query.weight", d, d),
          LlamaDecoderLayer.vector(w, l + "attention.self.query.bias", d),
          LlamaDecoderLayer.linear(w, l + "attention.self.key.weight", d, d),
          LlamaDecoderLayer.vector(w, l + "attention.self.key.bias", d),
          LlamaDecoderLayer.linear(w, l + "attention.self.value.weight", d, d),
          LlamaDecoderLayer.vector(w, l + "attention.self.value.bias", d),
          LlamaDecoderLayer.linear(w, l + "attention.output.dense.weight", d, d),
          LlamaDecoderLayer.vector(w, l + "attention.output.dense.bias", d),
          layerNorm(w, l + "attention.output.LayerNorm.", config),
          LlamaDecoderLayer.linear(w, l + "intermediate.dense.weight", inter, d),
          LlamaDecoderLayer.vector(w, l + "intermediate.dense.bias", inter),
          LlamaDecoderLayer.linear(w, l + "output.dense.weight", d, inter),
          LlamaDecoderLayer.vector(w, l + "output.dense.bias", d),
          layerNorm(w, l + "output.LayerNorm.", config));
    }
  }

  private static LayerNorm layerNorm(Weights w, String prefix, BertConfig c) {
    return new LayerNorm(
        LlamaDecoderLayer.vector(w, prefix + "weight", c.hidden()),
        LlamaDecoderLayer.vector(w, prefix + "bias", c.hidden()),
        c.layerNormEps());
  }

  public BertConfig config() {
    return config;
  }

  /**
   * The last hidden states of every token of several texts.
   *
   * @param tokens (tokens) token ids of all texts end to end
   * @param tokenTypes (tokens) segment ids, or null for all zero
   * @param cuSeqLens (texts + 1) text {@code s} is tokens {@code [cuSeqLens[s], cuSeqLens[s+1])}
   * @return (tokens, hidden)
   */
  public float[] encode(int[] tokens, int[] tokenTypes, int[] cuSeqLens) {
    int n = tokens.length;
    int d = config.hidden();
    if (cuSeqLens.length < 2 || cuSeqLens[0] != 0 || cuSeqLens[cuSeqLens.length - 1] != n) {
      throw new IllegalArgumentException("cuSeqLens must run from 0 to the token count " + n);
    }
    if (tokenTypes != null && tokenTypes.length != n) {
      throw new IllegalArgumentException(tokenTypes.length + " token types for " + n + " tokens");
    }
    float[] x = new float[n * d]; // (tokens, hidden)
    for (int s = 0; s + 1 < cuSeqLens.length; s++) {
      if (cuSeqLens[s + 1] < cuSeqLens[s]) {
        throw new IllegalArgumentException("cuSeqLens decreases at " + s);
      }
      for (int t = cuSeqLens[s]; t < cuSeqLens[s + 1]; t++) {
        int pos = t - cuSeqLens[s] + config.positionOffset();
        int type = tokenTypes == null ? 0 : tokenTypes[t];
        if (tokens[t] < 0 || tokens[t] >= config.vocab() || pos >= config.maxPositions()
            || type < 0 || type >= config.typeVocab()) {
          throw new IllegalArgumentException("token " + t + " (id " + tokens[t] + ", position " + pos
              + ", type " + type + ") outside the embedding tables");
        }
        for (int i = 0; i < d; i++) {
          x[t * d + i] = words[tokens[t] * d + i] + positions[pos * d + i] + types[type * d + i];
        }
      }
    }
    embeddingNorm.applyInPlace(x);
    BidirectionalAttention attention = new BidirectionalAttention(config.heads(), config.headDim());
    for (Layer l : layers) {
      float[] q = project(l.q(), l.qBias(), x, n); // (tokens, heads, headDim)
      float[] k = project(l.k(), l.kBias(), x, n);
      float[] v = project(l.v(), l.vBias(), x, n);
      float[] ctx = new float[n * d]; // (tokens, heads, headDim)
      attention.apply(q, k, v, cuSeqLens, ctx);
      float[] a = project(l.o(), l.oBias(), ctx, n); // (tokens, hidden)
      addInto(a, x);
      l.attentionNorm().applyInPlace(a);
      x = a;
      float[] inter = project(l.intermediate(), l.intermediateBias(), x, n); // (tokens, intermediate)
      Gelu.applyInPlace(inter);
      float[] out = project(l.output(), l.outputBias(), inter, n); // (tokens, hidden)
      addInto(out, x);
      l.outputNorm().applyInPlace(out);
      x = out;
    }
    return x;
  }

  /**
   * Sentence embeddings: the mean of each text's token states, scaled to unit length (what e5 and
   * most sentence-transformers encoders do).
   *
   * @param hidden (tokens, hiddenSize)
   * @param cuSeqLens (texts + 1)
   * @return (texts, hiddenSize)
   */
  public static float[] meanPoolNormalize(float[] hidden, int hiddenSize, int[] cuSeqLens) {
    int texts = cuSeqLens.length - 1;
    float[] out = new float[texts * hiddenSize];
    double[] sum = new double[hiddenSize];
    for (int s = 0; s < texts; s++) {
      int len = cuSeqLens[s + 1] - cuSeqLens[s];
      if (len <= 0) {
        throw new IllegalArgumentException("text " + s + " has no tokens to pool");
      }
      java.util.Arrays.fill(sum, 0);
      for (int t = cuSeqLens[s]; t < cuSeqLens[s + 1]; t++) {
        for (int i = 0; i < hiddenSize; i++) {
          sum[i] += hidden[t * hiddenSize + i];
        }
      }
      double norm = 0;
      for (int i = 0; i < hiddenSize; i++) {
        sum[i] /= len;
        norm += sum[i] * sum[i];
      }
      // The same floor as torch.nn.functional.normalize, so a zero vector stays zero.
      double inv = 1.0 / Math.max(Math.sqrt(norm), 1e-12);
      for (int i = 0; i < hiddenSize; i++) {
        out[s * hiddenSize + i] = (float) (sum[i] * inv);
      }
    }
    return out;
  }

  /** Encodes texts and returns their unit-length mean-pooled embeddings, (texts, hidden). */
  public float[] embed(int[][] texts) {
    int[] cu = new int[texts.length + 1];
    for (int s = 0; s < texts.length; s++) {
      cu[s + 1] = cu[s] + texts[s].length;
    }
    int[] tokens = new int[cu[texts.length]];
    for (int s = 0; s < texts.length; s++) {
      System.arraycopy(texts[s], 0, tokens, cu[s], texts[s].length);
    }
    return meanPoolNormalize(encode(tokens, null, cu), config.hidden(), cu);
  }

  private static float[] project(Linear l, float[] bias, float[] x, int rows) {
    float[] y = new float[rows * l.outFeatures()];
    l.apply(x, y, rows);
    for (int i = 0; i < y.length; i++) {
      y[i] += bias[i % bias.length];
    }
    return y;
  }

  /** {@code a += b}, elementwise. */
  private static void addInto(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
  }
}
