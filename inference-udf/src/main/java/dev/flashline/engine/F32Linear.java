package dev.flashline.engine;

import dev.flashline.engine.kernels.Kernels;
import dev.flashline.engine.kernels.MatmulKernel;

/** An fp32 weight; the product runs on a {@link MatmulKernel} ({@link Kernels#matmul()} unless given one). */
public final class F32Linear implements Linear {
  private final float[] weight; // (out, in)
  private final int out;
  private final int in;
  private final MatmulKernel kernel;

  public F32Linear(float[] weight, int out, int in) {
    this(weight, out, in, Kernels.matmul());
  }

  public F32Linear(float[] weight, int out, int in, MatmulKernel kernel) {
    if (weight.length != (long) out * in) {
      throw new IllegalArgumentException("weight has " + weight.length + " values, shape (" + out + ", " + in + ") needs " + (long) out * in);
    }
    this.weight = weight;
    this.out = out;
    this.in = in;
    this.kernel = kernel;
  }

  @Override
  public int inFeatures() {
    return in;
  }

  @Override
  public int outFeatures() {
    return out;
  }

  public MatmulKernel kernel() {
    return kernel;
  }

  @Override
  public void apply(float[] x, float[] y, int rows) {
    kernel.gemmF32(x, rows, weight, out, in, y);
  }

  @Override
  public long bytes() {
    return 4L * weight.length;
  }
}
