package dev.flashline.engine;

import java.util.stream.IntStream;

/** An fp32 weight, multiplied row by row; parallel over output features when the work is large. */
public final class F32Linear implements Linear {
  private final float[] weight; // (out, in)
  private final int out;
  private final int in;

  public F32Linear(float[] weight, int out, int in) {
    if (weight.length != (long) out * in) {
      throw new IllegalArgumentException("weight has " + weight.length + " values, shape (" + out + ", " + in + ") needs " + (long) out * in);
    }
    this.weight = weight;
    this.out = out;
    this.in = in;
  }

  @Override
  public int inFeatures() {
    return in;
  }

  @Override
  public int outFeatures() {
    return out;
  }

  @Override
  public void apply(float[] x, float[] y, int rows) {
    IntStream outputs = IntStream.range(0, out);
    if ((long) rows * out * in > 1 << 20) {
      outputs = outputs.parallel();
    }
    outputs.forEach(o -> {
      int w = o * in;
      for (int r = 0; r < rows; r++) {
        int xi = r * in;
        float sum = 0;
        for (int i = 0; i < in; i++) {
          sum += x[xi + i] * weight[w + i];
        }
        y[r * out + o] = sum;
      }
    });
  }

  @Override
  public long bytes() {
    return 4L * weight.length;
  }
}
