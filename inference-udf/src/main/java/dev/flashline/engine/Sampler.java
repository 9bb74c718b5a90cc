package dev.flashline.engine;

import java.util.SplittableRandom;

/**
 * Picks the next token from a sequence's logits: the largest (greedy, lowest id on ties) at
 * temperature 0, else a draw from softmax(logits / temperature). A draw depends only on the
 * sequence's seed and how many tokens it has generated, so a sequence samples the same tokens
 * whatever else shares its batch.
 */
public final class Sampler {
  private Sampler() {}

  /** @param logits (vocab) the row to sample from, starting at {@code offset} */
  public static int sample(float[] logits, int offset, int vocab, SamplingParams params, long seqId, int generated) {
    if (params.isGreedy()) {
      return argmax(logits, offset, vocab);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[offset + v]);
    }
    double[] weights = new double[vocab];
    double total = 0;
    for (int v = 0; v < vocab; v++) {
      weights[v] = Math.exp((logits[offset + v] - max) / params.temperature());
      total += weights[v];
    }
    double draw = new SplittableRandom(params.seed() * 0x9E3779B97F4A7C15L + seqId * 31 + generated).nextDouble() * total;
    for (int v = 0; v < vocab; v++) {
      draw -= weights[v];
      if (draw < 0) {
        return v;
      }
    }
    return vocab - 1;
  }

  /** The natural-log probability of {@code token} under softmax of the row at {@code offset}. */
  public static double logProbability(float[] logits, int offset, int vocab, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[offset + v]);
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += Math.exp(logits[offset + v] - max);
    }
    return logits[offset + token] - max - Math.log(sum);
  }

  static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    for (int v = 1; v < vocab; v++) {
      if (logits[offset + v] > logits[offset + best]) {
        best = v;
      }
    }
    return best;
  }
}
