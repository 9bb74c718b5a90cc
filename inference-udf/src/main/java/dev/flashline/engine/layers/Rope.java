package dev.flashline.engine.layers;

/**
 * Rotary position embedding in the Hugging Face Llama convention: the head dimension is split into
 * two halves and pair {@code (j, j + d/2)} is rotated by angle {@code position * theta^(-2j/d)}
 * ("rotate_half"), not interleaved pairs as in the original paper. Angles are computed in double
 * and rounded once, so long positions keep their precision.
 */
public final class Rope {
  private final int headDim;
  private final double[] invFreq; // (headDim / 2)

  public Rope(int headDim, double theta) {
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be positive and even: " + headDim);
    }
    if (!(theta > 0)) {
      throw new IllegalArgumentException("rope theta must be positive: " + theta);
    }
    this.headDim = headDim;
    int half = headDim / 2;
    invFreq = new double[half];
    for (int j = 0; j < half; j++) {
      invFreq[j] = 1.0 / Math.pow(theta, (2.0 * j) / headDim);
    }
  }

  public int headDim() {
    return headDim;
  }

  /**
   * Rotates every head of every token in place.
   *
   * @param x (tokens, heads, headDim)
   * @param positions (tokens) the position of each token within its sequence
   */
  public void apply(float[] x, int heads, int[] positions) {
    int half = headDim / 2;
    float[] cos = new float[half];
    float[] sin = new float[half];
    for (int t = 0; t < positions.length; t++) {
      // One angle table per token, shared by all its heads.
      for (int j = 0; j < half; j++) {
        double angle = positions[t] * invFreq[j];
        cos[j] = (float) Math.cos(angle);
        sin[j] = (float) Math.sin(angle);
      }
      for (int h = 0; h < heads; h++) {
        int base = (t * heads + h) * headDim;
        for (int j = 0; j < half; j++) {
          float a = x[base + j];
          float b = x[base + j + half];
          x[base + j] = a * cos[j] - b * sin[j];
          x[base + j + half] = b * cos[j] + a * sin[j];
        }
      }
    }
  }
}
