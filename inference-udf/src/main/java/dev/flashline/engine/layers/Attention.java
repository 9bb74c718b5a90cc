package dev.flashline.engine.layers;

import java.util.stream.IntStream;

/**
 * Causal scaled dot-product attention of a decoder over its KV cache, with grouped-query
 * attention: {@code heads / kvHeads} consecutive query heads share one key/value head (query head
 * {@code h} reads kv head {@code h / (heads / kvHeads)}, as HF's {@code repeat_kv} lays them out).
 * Token {@code t} at position {@code p} attends to positions {@code 0..p} of its own sequence, all
 * of which must be in the cache, so a batch may mix prompts being prefilled and sequences decoding
 * one token ("varlen"). Each (token, head) is computed the same way whatever else is in the batch,
 * so results do not depend on batching.
 */
public final class Attention {
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final float scale;

  public Attention(int heads, int kvHeads, int headDim) {
    if (heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "heads (" + heads + ") must be a positive multiple of kvHeads (" + kvHeads + "), headDim " + headDim);
    }
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.scale = (float) (1.0 / Math.sqrt(headDim));
  }

  /**
   * @param layer which layer's cache to read
   * @param q (tokens, heads, headDim) queries, rotary embedding already applied
   * @param tokenSeq (tokens) cache sequence id of each token
   * @param positions (tokens) position of each token in its sequence
   * @param cache holds keys and values of positions {@code 0..positions[t]} for every token
   * @param out (tokens, heads, headDim) overwritten
   */
  public void apply(int layer, float[] q, int[] tokenSeq, int[] positions, KvCache cache, float[] out) {
    if (cache.kvHeads() != kvHeads || cache.headDim() != headDim) {
      throw new IllegalArgumentException("cache has " + cache.kvHeads() + "x" + cache.headDim()
          + " kv rows, attention needs " + kvHeads + "x" + headDim);
    }
    int tokens = positions.length;
    long work = 0;
    for (int p : positions) {
      work += (long) (p + 1) * heads * headDim;
    }
    IntStream units = IntStream.range(0, tokens * heads);
    if (work > 1 << 18) {
      units = units.parallel();
    }
    units.forEach(u -> head(layer, u / heads, u % heads, q, tokenSeq, positions, cache, out));
  }

  private void head(int layer, int t, int h, float[] q, int[] tokenSeq, int[] positions, KvCache cache, float[] out) {
    int seq = tokenSeq[t];
    int len = positions[t] + 1;
    int kvh = h / (heads / kvHeads);
    float[] keys = cache.keys(layer, seq);
    float[] values = cache.values(layer, seq);
    int qi = (t * heads + h) * headDim;
    int headOff = kvh * headDim;

    float[] scores = new float[len]; // (len)
    float max = Float.NEGATIVE_INFINITY;
    for (int p = 0; p < len; p++) {
      int ki = cache.offset(seq, p) + headOff;
      float dot = 0;
      for (int i = 0; i < headDim; i++) {
        dot += q[qi + i] * keys[ki + i];
      }
      scores[p] = dot * scale;
      max = Math.max(max, scores[p]);
    }
    // Softmax with the maximum subtracted so exp cannot overflow; normaliser summed in double.
    double sum = 0;
    for (int p = 0; p < len; p++) {
      float e = (float) Math.exp(scores[p] - max);
      scores[p] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = 0; i < headDim; i++) {
      out[qi + i] = 0;
    }
    for (int p = 0; p < len; p++) {
      float w = scores[p] * inv;
      int vi = cache.offset(seq, p) + headOff;
      for (int i = 0; i < headDim; i++) {
        out[qi + i] += w * values[vi + i];
      }
    }
  }
}
