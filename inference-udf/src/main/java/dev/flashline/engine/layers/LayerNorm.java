package dev.flashline.engine.layers;

/**
 * Layer normalisation with a learned scale and shift (BERT): {@code (x - mean) / sqrt(var + eps) *
 * w + b}, biased variance, statistics accumulated in double.
 */
public final class LayerNorm {
  private final float[] weight; // (dim)
  private final float[] bias; // (dim)
  private final float eps;

  public LayerNorm(float[] weight, float[] bias, float eps) {
    if (weight.length == 0 || weight.length != bias.length) {
      throw new IllegalArgumentException(
          "LayerNorm weight has " + weight.length + " values, bias " + bias.length);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps must be positive: " + eps);
    }
    this.weight = weight;
    this.bias = bias;
    this.eps = eps;
  }

  public int dim() {
    return weight.length;
  }

  /** Normalises every row of {@code x} (rows, dim) in place. */
  public void applyInPlace(float[] x) {
    int d = weight.length;
    int rows = x.length / d;
    for (int r = 0; r < rows; r++) {
      int xi = r * d;
      double sum = 0;
      for (int i = 0; i < d; i++) {
        sum += x[xi + i];
      }
      double mean = sum / d;
      double sumSq = 0;
      for (int i = 0; i < d; i++) {
        double c = x[xi + i] - mean;
        sumSq += c * c;
      }
      double inv = 1.0 / Math.sqrt(sumSq / d + eps);
      for (int i = 0; i < d; i++) {
        x[xi + i] = (float) ((x[xi + i] - mean) * inv) * weight[i] + bias[i];
      }
    }
  }
}
