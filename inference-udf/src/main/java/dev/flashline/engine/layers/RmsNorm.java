package dev.flashline.engine.layers;

/**
 * Root-mean-square normalisation as Llama, Qwen and Mistral compute it: {@code w * (x / rms(x))}
 * with the mean of squares taken over the last dimension. The sum of squares is accumulated in
 * double so that a wide hidden size does not lose the small components.
 */
public final class RmsNorm {
  private final float[] weight; // (dim)
  private final float eps;

  public RmsNorm(float[] weight, float eps) {
    if (weight.length == 0) {
      throw new IllegalArgumentException("RMSNorm weight is empty");
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps must be positive: " + eps);
    }
    this.weight = weight;
    this.eps = eps;
  }

  public int dim() {
    return weight.length;
  }

  /**
   * Normalises {@code rows} consecutive vectors of length {@link #dim()}.
   *
   * @param x (rows, dim) read from {@code xOff}
   * @param y (rows, dim) written from {@code yOff}; may be {@code x} itself
   */
  public void apply(float[] x, int xOff, float[] y, int yOff, int rows) {
    int d = weight.length;
    for (int r = 0; r < rows; r++) {
      int xi = xOff + r * d;
      int yi = yOff + r * d;
      double sumSq = 0;
      for (int i = 0; i < d; i++) {
        sumSq += (double) x[xi + i] * x[xi + i];
      }
      float inv = (float) (1.0 / Math.sqrt(sumSq / d + eps));
      // HF multiplies by the weight after normalising, in that order.
      for (int i = 0; i < d; i++) {
        y[yi + i] = weight[i] * (x[xi + i] * inv);
      }
    }
  }

  /** Normalises every row of {@code x} (rows, dim) in place. */
  public void applyInPlace(float[] x) {
    apply(x, 0, x, 0, x.length / weight.length);
  }
}
