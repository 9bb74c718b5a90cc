package dev.flashline.engine.quant;

import dev.flashline.engine.Linear;
import dev.flashline.engine.kernels.Kernels;
import dev.flashline.engine.kernels.MatmulKernel;

/**
 * A block-scaled FP8 weight kept at one byte per parameter; the kernel dequantises a chunk of
 * weight rows at a time inside the product and reuses it for every input row, so the decode cost is
 * amortised over the batch. The result equals {@link dev.flashline.engine.F32Linear} on
 * {@link Fp8Matrix#dequantize()} with the same kernel to the bit (see {@link MatmulKernel}).
 */
public final class Fp8Linear implements Linear {
  private final Fp8Matrix weight;
  private final MatmulKernel kernel;

  public Fp8Linear(Fp8Matrix weight) {
    this(weight, Kernels.matmul());
  }

  public Fp8Linear(Fp8Matrix weight, MatmulKernel kernel) {
    this.weight = weight;
    this.kernel = kernel;
  }

  public Fp8Matrix weight() {
    return weight;
  }

  public MatmulKernel kernel() {
    return kernel;
  }

  @Override
  public int inFeatures() {
    return weight.in();
  }

  @Override
  public int outFeatures() {
    return weight.out();
  }

  @Override
  public void apply(float[] x, float[] y, int rows) {
    kernel.gemmFp8(x, rows, weight, y);
  }

  @Override
  public long bytes() {
    return weight.bytes();
  }
}
