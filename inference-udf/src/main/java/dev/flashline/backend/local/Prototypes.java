package dev.flashline.backend.local;

import java.util.Arrays;

/** Soft nearest-neighbour scoring against labelled prototype vectors. */
final class Prototypes {
  private Prototypes() {}

  /**
   * For each label k, {@code T * log(mean over k's prototypes of exp(cos(x, p) / T))}; a label with
   * no usable prototype scores negative infinity.
   */
  static double[] scores(
      float[] x,
      float[][] prototypes,
      int[] prototypeLabel,
      boolean[] pseudo,
      int labels,
      double temperature,
      int skip,
      boolean skipSelfMatches) {
    double[] cos = new double[prototypes.length];
    double[] max = new double[labels];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    boolean[] used = new boolean[prototypes.length];
    for (int p = 0; p < prototypes.length; p++) {
      if (p == skip) {
        continue;
      }
      double c = Vectors.dot(x, prototypes[p]);
      if (skipSelfMatches && pseudo[p] && c >= FewShotClassifier.SELF_MATCH) {
        continue;
      }
      used[p] = true;
      cos[p] = c / temperature;
      max[prototypeLabel[p]] = Math.max(max[prototypeLabel[p]], cos[p]);
    }
    double[] sum = new double[labels];
    int[] count = new int[labels];
    for (int p = 0; p < prototypes.length; p++) {
      if (used[p]) {
        int k = prototypeLabel[p];
        sum[k] += Math.exp(cos[p] - max[k]);
        count[k]++;
      }
    }
    double[] scores = new double[labels];
    for (int k = 0; k < labels; k++) {
      scores[k] =
          count[k] == 0
              ? Double.NEGATIVE_INFINITY
              : temperature * (max[k] + Math.log(sum[k] / count[k]));
    }
    return scores;
  }
}
