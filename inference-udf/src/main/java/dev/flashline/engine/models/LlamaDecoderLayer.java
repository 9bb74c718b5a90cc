package dev.flashline.engine.models;

import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import dev.flashline.engine.layers.Attention;
import dev.flashline.engine.layers.KvCache;
import dev.flashline.engine.layers.RmsNorm;
import dev.flashline.engine.layers.Rope;
import dev.flashline.engine.layers.SwiGluMlp;

/**
 * One pre-norm decoder block: {@code x += o(attn(rope(q), rope(k), v))} on the input-normalised
 * stream, then {@code x += mlp(norm(x))}. Optional parts are taken when the checkpoint has them:
 * q/k/v biases (Qwen2) and per-head RMSNorm of q and k before rotation (Qwen3).
 */
final class LlamaDecoderLayer {
  private final int index;
  private final DecoderConfig c;
  private final RmsNorm inputNorm;
  private final RmsNorm postAttentionNorm;
  private final Linear q; // (heads * headDim, hidden)
  private final Linear k; // (kvHeads * headDim, hidden)
  private final Linear v; // (kvHeads * headDim, hidden)
  private final Linear o; // (hidden, heads * headDim)
  private final float[] qBias; // (heads * headDim) or null
  private final float[] kBias; // (kvHeads * headDim) or null
  private final float[] vBias; // (kvHeads * headDim) or null
  private final RmsNorm qNorm; // over headDim, or null
  private final RmsNorm kNorm; // over headDim, or null
  private final Rope rope;
  private final Attention attention;
  private final SwiGluMlp mlp;

  LlamaDecoderLayer(int index, DecoderConfig c, Weights w, Rope rope) {
    this.index = index;
    this.c = c;
    this.rope = rope;
    String p = "model.layers." + index + ".";
    inputNorm = new RmsNorm(vector(w, p + "input_layernorm.weight", c.hidden()), c.rmsEps());
    postAttentionNorm = new RmsNorm(vector(w, p + "post_attention_layernorm.weight", c.hidden()), c.rmsEps());
    int qDim = c.heads() * c.headDim();
    int kvDim = c.kvHeads() * c.headDim();
    q = linear(w, p + "self_attn.q_proj.weight", qDim, c.hidden());
    k = linear(w, p + "self_attn.k_proj.weight", kvDim, c.hidden());
    v = linear(w, p + "self_attn.v_proj.weight", kvDim, c.hidden());
    o = linear(w, p + "self_attn.o_proj.weight", c.hidden(), qDim);
    qBias = optionalVector(w, p + "self_attn.q_proj.bias", qDim);
    kBias = optionalVector(w, p + "self_attn.k_proj.bias", kvDim);
    vBias = optionalVector(w, p + "self_attn.v_proj.bias", kvDim);
    float[] qn = optionalVector(w, p + "self_attn.q_norm.weight", c.headDim());
    float[] kn = optionalVector(w, p + "self_attn.k_norm.weight", c.headDim());
    qNorm = qn == null ? null : new RmsNorm(qn, c.rmsEps());
    kNorm = kn == null ? null : new RmsNorm(kn, c.rmsEps());
    attention = new Attention(c.heads(), c.kvHeads(), c.headDim());
    mlp = new SwiGluMlp(
        linear(w, p + "mlp.gate_proj.weight", c.intermediate(), c.hidden()),
        linear(w, p + "mlp.up_proj.weight", c.intermediate(), c.hidden()),
        linear(w, p + "mlp.down_proj.weight", c.hidden(), c.intermediate()));
  }

  /**
   * Runs the block over the batch, writing this layer's keys and values to the cache.
   *
   * @param x (tokens, hidden) the residual stream, updated in place
   */
  void forward(float[] x, VarlenBatch batch, int[] tokenSeq, KvCache cache) {
    int n = batch.numTokens();
    int[] positions = batch.positions();
    float[] h = new float[x.length]; // (tokens, hidden)
    inputNorm.apply(x, 0, h, 0, n);

    float[] qs = new float[n * c.heads() * c.headDim()]; // (tokens, heads, headDim)
    float[] ks = new float[n * c.kvHeads() * c.headDim()]; // (tokens, kvHeads, headDim)
    float[] vs = new float[ks.length]; // (tokens, kvHeads, headDim)
    q.apply(h, qs, n);
    k.apply(h, ks, n);
    v.apply(h, vs, n);
    addBias(qs, qBias);
    addBias(ks, kBias);
    addBias(vs, vBias);
    if (qNorm != null) {
      qNorm.applyInPlace(qs); // per head: rows of headDim
    }
    if (kNorm != null) {
      kNorm.applyInPlace(ks);
    }
    rope.apply(qs, c.heads(), positions);
    rope.apply(ks, c.kvHeads(), positions);

    int row = c.kvHeads() * c.headDim();
    for (int t = 0; t < n; t++) {
      cache.write(index, tokenSeq[t], positions[t], ks, t * row, vs, t * row);
    }
    float[] attn = new float[qs.length]; // (tokens, heads, headDim)
    attention.apply(index, qs, tokenSeq, positions, cache, attn);
    float[] proj = new float[x.length]; // (tokens, hidden)
    o.apply(attn, proj, n);
    add(x, proj);

    postAttentionNorm.apply(x, 0, h, 0, n);
    add(x, mlp.apply(h, n));
  }

  private static void add(float[] x, float[] y) {
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
  }

  /** Adds a bias vector to every row; nothing when the bias is absent. */
  private static void addBias(float[] y, float[] bias) {
    if (bias == null) {
      return;
    }
    for (int i = 0; i < y.length; i++) {
      y[i] += bias[i % bias.length];
    }
  }

  static float[] vector(Weights w, String name, int length) {
    float[] f = w.floats(name);
    if (f.length != length) {
      throw new IllegalArgumentException(name + " has " + f.length + " values, expected " + length);
    }
    return f;
  }

  static float[] optionalVector(Weights w, String name, int length) {
    return w.has(name) ? vector(w, name, length) : null;
  }

  static Linear linear(Weights w, String name, int out, int in) {
    Linear l = w.linear(name);
    if (l.outFeatures() != out || l.inFeatures() != in) {
      throw new IllegalArgumentException(name + " is (" + l.outFeatures() + ", " + l.inFeatures()
          + "), expected (" + out + ", " + in + ")");
    }
    return l;
  }
}
