package dev.flashline.engine.layers;

import java.util.stream.IntStream;

/**
 * Multi-head attention of an encoder: every token attends to every token of its own sequence, in
 * both directions, with no cache. Sequences of different lengths are packed into one flat array
 * and separated by cumulative lengths, so no padding or mask is needed.
 */
public final class BidirectionalAttention {
  private final int heads;
  private final int headDim;
  private final float scale;

  public BidirectionalAttention(int heads, int headDim) {
    if (heads <= 0 || headDim <= 0) {
      throw new IllegalArgumentException("heads and headDim must be positive: " + heads + ", " + headDim);
    }
    this.heads = heads;
    this.headDim = headDim;
    this.scale = (float) (1.0 / Math.sqrt(headDim));
  }

  /**
   * @param q (tokens, heads, headDim)
   * @param k (tokens, heads, headDim)
   * @param v (tokens, heads, headDim)
   * @param cuSeqLens (seqs + 1) sequence {@code s} is tokens {@code [cuSeqLens[s], cuSeqLens[s+1])}
   * @param out (tokens, heads, headDim) overwritten
   */
  public void apply(float[] q, float[] k, float[] v, int[] cuSeqLens, float[] out) {
    int tokens = cuSeqLens[cuSeqLens.length - 1];
    int[] seqOf = new int[tokens]; // (tokens)
    long work = 0;
    for (int s = 0; s + 1 < cuSeqLens.length; s++) {
      int n = cuSeqLens[s + 1] - cuSeqLens[s];
      work += (long) n * n;
      for (int t = cuSeqLens[s]; t < cuSeqLens[s + 1]; t++) {
        seqOf[t] = s;
      }
    }
    IntStream units = IntStream.range(0, tokens * heads);
    if (work * heads * headDim > 1 << 18) {
      units = units.parallel();
    }
    int dim = heads * headDim;
    units.forEach(u -> {
      int t = u / heads;
      int h = u % heads;
      int start = cuSeqLens[seqOf[t]];
      int end = cuSeqLens[seqOf[t] + 1];
      int qi = t * dim + h * headDim;
      float[] scores = new float[end - start];
      float max = Float.NEGATIVE_INFINITY;
      for (int j = start; j < end; j++) {
        int ki = j * dim + h * headDim;
        float dot = 0;
        for (int i = 0; i < headDim; i++) {
          dot += q[qi + i] * k[ki + i];
        }
        scores[j - start] = dot * scale;
        max = Math.max(max, scores[j - start]);
      }
      double sum = 0;
      for (int j = 0; j < scores.length; j++) {
        scores[j] = (float) Math.exp(scores[j] - max);
        sum += scores[j];
      }
      float inv = (float) (1.0 / sum);
      for (int i = 0; i < headDim; i++) {
        out[qi + i] = 0;
      }
      for (int j = start; j < end; j++) {
        float w = scores[j - start] * inv;
        int vi = j * dim + h * headDim;
        for (int i = 0; i < headDim; i++) {
          out[qi + i] += w * v[vi + i];
        }
      }
    });
  }
}
