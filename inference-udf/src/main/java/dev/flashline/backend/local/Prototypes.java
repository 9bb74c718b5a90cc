package dev.flashline.backend.local;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Labelled prototype vectors and soft nearest-neighbour scoring against them.
 *
 * <p>The vectors are stored transposed, one row per dimension, so that similarities to all
 * prototypes are computed as {@code sims[j] += x[d] * row_d[j]}: a loop without a reduction,
 * which the JIT turns into SIMD instructions, unlike a dot product over floats. Texts are scored
 * in blocks so each block of prototype rows is read from memory once per block of texts rather
 * than once per text. Each similarity is summed over the dimensions in the same order whatever
 * the batch, so results do not depend on which texts are scored together.
 */
final class Prototypes implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Texts scored together: their similarity rows stay in cache while prototype rows stream by. */
  private static final int TEXT_BLOCK = 16;

  /** Prototypes per block: a block of similarity rows for {@link #TEXT_BLOCK} texts is 64 KiB. */
  private static final int PROTOTYPE_BLOCK = 1024;

  private final float[][] byDimension; // (dimension, prototypes)
  private final int[] owner; // (prototypes), label index
  private final boolean[] pseudo; // (prototypes), added by self-training
  private final int labels;

  /**
   * @param vectors (prototypes, dimension), unit length
   * @param owner label index of each prototype
   * @param pseudo whether each prototype came from self-training rather than from the user
   */
  Prototypes(float[][] vectors, int[] owner, boolean[] pseudo, int labels) {
    if (vectors.length != owner.length || vectors.length != pseudo.length) {
      throw new IllegalArgumentException("prototype arrays differ in length");
    }
    if (vectors.length == 0) {
      throw new IllegalArgumentException("need at least one prototype");
    }
    int dimension = vectors[0].length;
    this.byDimension = new float[dimension][vectors.length];
    for (int p = 0; p < vectors.length; p++) {
      if (vectors[p].length != dimension) {
        throw new IllegalArgumentException("prototype " + p + " has " + vectors[p].length + " dimensions, not " + dimension);
      }
      if (owner[p] < 0 || owner[p] >= labels) {
        throw new IllegalArgumentException("prototype " + p + " belongs to unknown label " + owner[p]);
      }
      for (int d = 0; d < dimension; d++) {
        byDimension[d][p] = vectors[p][d];
      }
    }
    this.owner = owner.clone();
    this.pseudo = pseudo.clone();
    this.labels = labels;
  }

  static Prototypes of(List<float[]> vectors, List<Integer> owners, boolean[] pseudo, int labels) {
    return new Prototypes(
        vectors.toArray(new float[0][]), owners.stream().mapToInt(Integer::intValue).toArray(), pseudo, labels);
  }

  int labels() {
    return labels;
  }

  /** Scores of one text; see {@link #scores(float[][], double, int[], boolean)}. */
  double[] scores(float[] x, double temperature, int skip, boolean skipSelfMatches) {
    return scores(new float[][] {x}, temperature, new int[] {skip}, skipSelfMatches)[0];
  }

  /**
   * For each text and label k, {@code T * log(mean over k's prototypes of exp(cos(x, p) / T))}; a
   * label with no usable prototype scores negative infinity. (texts, labels)
   *
   * @param skip per text, a prototype index to leave out (leave-one-out), or -1; null for none
   * @param skipSelfMatches leave out self-training prototypes that are the text itself
   */
  double[][] scores(float[][] xs, double temperature, int[] skip, boolean skipSelfMatches) {
    double[][] out = new double[xs.length][];
    int n = owner.length;
    float[][] sims = new float[Math.min(TEXT_BLOCK, xs.length)][n];
    for (int from = 0; from < xs.length; from += TEXT_BLOCK) {
      int to = Math.min(xs.length, from + TEXT_BLOCK);
      for (float[] row : sims) {
        Arrays.fill(row, 0f);
      }
      similarities(xs, from, to, sims);
      for (int t = from; t < to; t++) {
        out[t] = pool(sims[t - from], temperature, skip == null ? -1 : skip[t], skipSelfMatches);
      }
    }
    return out;
  }

  /** sims[t - from][j] = cos(xs[t], prototype j) for t in [from, to). */
  private void similarities(float[][] xs, int from, int to, float[][] sims) {
    int n = owner.length;
    int dimension = byDimension.length;
    for (int blockStart = 0; blockStart < n; blockStart += PROTOTYPE_BLOCK) {
      int blockEnd = Math.min(n, blockStart + PROTOTYPE_BLOCK);
      for (int d = 0; d < dimension; d++) {
        float[] row = byDimension[d];
        for (int t = from; t < to; t++) {
          float xd = xs[t][d];
          float[] s = sims[t - from];
          for (int j = blockStart; j < blockEnd; j++) {
            s[j] += xd * row[j];
          }
        }
      }
    }
  }

  private double[] pool(float[] sims, double temperature, int skip, boolean skipSelfMatches) {
    int n = owner.length;
    double[] max = new double[labels];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    boolean[] used = new boolean[n];
    for (int p = 0; p < n; p++) {
      if (p == skip || (skipSelfMatches && pseudo[p] && sims[p] >= FewShotClassifier.SELF_MATCH)) {
        continue;
      }
      used[p] = true;
      max[owner[p]] = Math.max(max[owner[p]], sims[p] / temperature);
    }
    double[] sum = new double[labels];
    int[] count = new int[labels];
    for (int p = 0; p < n; p++) {
      if (used[p]) {
        sum[owner[p]] += Math.exp(sims[p] / temperature - max[owner[p]]);
        count[owner[p]]++;
      }
    }
    double[] scores = new double[labels];
    for (int k = 0; k < labels; k++) {
      scores[k] = count[k] == 0 ? Double.NEGATIVE_INFINITY : temperature * (max[k] + Math.log(sum[k] / count[k]));
    }
    return scores;
  }
}
