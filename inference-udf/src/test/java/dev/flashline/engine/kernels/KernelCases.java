package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.BlockQuantizer;
import dev.flashline.engine.quant.Fp8Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Kernels to test and the data to test them on. */
final class KernelCases {
  private KernelCases() {}

  /** Every kernel that can run in this JVM: the vector one only when the module is present. */
  static Stream<MatmulKernel> kernels() {
    List<MatmulKernel> kernels = new ArrayList<>(List.of(Kernels.named(Kernels.NAIVE), Kernels.named(Kernels.SCALAR)));
    if (Kernels.vectorModulePresent()) {
      kernels.add(Kernels.named(Kernels.VECTOR));
    }
    return kernels.stream();
  }

  /** Gaussian values, (n) row-major. */
  static float[] gaussian(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** An (out, in) weight whose rows differ in magnitude by up to 10^4, quantised to FP8 blocks. */
  static Fp8Matrix fp8(int out, int in, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] w = new float[out * in];
    for (int o = 0; o < out; o++) {
      double rowScale = Math.pow(10, random.nextInt(-4, 1));
      for (int i = 0; i < in; i++) {
        w[o * in + i] = (float) (random.nextGaussian() * 0.05 * rowScale);
      }
    }
    return BlockQuantizer.quantize(w, out, in);
  }

  /** x W^T in double precision, and the sum of |x_i w_i| per element (what rounding error scales with). */
  static double[][] exact(float[] x, int rows, float[] w, int out, int in) {
    double[] y = new double[rows * out];
    double[] magnitude = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        double m = 0;
        for (int i = 0; i < in; i++) {
          double p = (double) x[r * in + i] * w[o * in + i];
          s += p;
          m += Math.abs(p);
        }
        y[r * out + o] = s;
        magnitude[r * out + o] = m;
      }
    }
    return new double[][] {y, magnitude};
  }
}
