package dev.flashline.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashline.engine.quant.Fp8E4M3;
import dev.flashline.engine.quant.Fp8Matrix;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link MatmulKernel} promises, checked for each kernel this JVM can run. */
class MatmulKernelTest {
  static Stream<MatmulKernel> kernels() {
    return KernelCases.kernels();
  }

  /** Odd sizes: in below, at and past the vector width and the 128-wide FP8 block, never a multiple of them. */
  private static final int[] INS = {1, 3, 7, 15, 17, 33, 127, 129, 200, 300};
  private static final int[] OUTS = {1, 3, 5, 6, 13, 37};

  @ParameterizedTest
  @MethodSource("kernels")
  void f32IsWithinRoundingOfTheDoubleProduct(MatmulKernel kernel) {
    for (int in : INS) {
      for (int out : OUTS) {
        for (int rows = 1; rows <= 7; rows++) {
          float[] x = KernelCases.gaussian(rows * in, in * 1000L + out * 10L + rows);
          float[] w = KernelCases.gaussian(out * in, in * 7L + out);
          float[] y = new float[rows * out];
          kernel.gemmF32(x, rows, w, out, in, y);
          double[][] exact = KernelCases.exact(x, rows, w, out, in);
          for (int e = 0; e < y.length; e++) {
            // Recursive fp32 summation is within n * 2^-24 of the sum of |terms|; the product rounding adds one more.
            double bound = (in + 1) * 0x1p-24 * exact[1][e] + Float.MIN_NORMAL;
            double err = Math.abs(y[e] - exact[0][e]);
            assertTrue(err <= bound, kernel + " rows " + rows + " out " + out + " in " + in + " element " + e + ": error " + err + " > " + bound);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void f32IsCloseOnALargeParallelProduct(MatmulKernel kernel) {
    int rows = 9;
    int out = 523;
    int in = 771; // 9 x 523 x 771 > 2^20 multiply-adds: runs on the fork-join pool
    float[] x = KernelCases.gaussian(rows * in, 1);
    float[] w = KernelCases.gaussian(out * in, 2);
    float[] y = new float[rows * out];
    kernel.gemmF32(x, rows, w, out, in, y);
    double[][] exact = KernelCases.exact(x, rows, w, out, in);
    double worst = 0;
    for (int e = 0; e < y.length; e++) {
      worst = Math.max(worst, Math.abs(y[e] - exact[0][e]) / exact[1][e]);
    }
    // The a-priori bound is 772 * 2^-24 = 4.6e-5 of the magnitude; real errors are far below it.
    assertTrue(worst < 1e-5, kernel + ": worst error " + worst + " of the magnitude");
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void batchedEqualsUnbatchedToTheBit(MatmulKernel kernel) {
    for (int[] shape : new int[][] {{7, 37, 129}, {7, 523, 300}, {8, 520, 300}, {13, 64, 2049}}) {
      int rows = shape[0];
      int out = shape[1];
      int in = shape[2];
      float[] x = KernelCases.gaussian(rows * in, rows + out + in);
      float[] w = KernelCases.gaussian(out * in, out);
      Fp8Matrix q = KernelCases.fp8(out, in, in);
      float[] all = new float[rows * out];
      float[] allFp8 = new float[rows * out];
      kernel.gemmF32(x, rows, w, out, in, all);
      kernel.gemmFp8(x, rows, q, allFp8);
      // Every split of the batch into consecutive groups of 1..4 rows, each group run on its own.
      for (int group = 1; group <= 4; group++) {
        for (int r0 = 0; r0 < rows; r0 += group) {
          int n = Math.min(group, rows - r0);
          float[] part = Arrays.copyOfRange(x, r0 * in, (r0 + n) * in);
          float[] y = new float[n * out];
          kernel.gemmF32(part, n, w, out, in, y);
          assertArrayEquals(Arrays.copyOfRange(all, r0 * out, (r0 + n) * out), y, 0f, kernel + " fp32 rows " + r0 + "+" + n + " of " + rows);
          kernel.gemmFp8(part, n, q, y);
          assertArrayEquals(Arrays.copyOfRange(allFp8, r0 * out, (r0 + n) * out), y, 0f, kernel + " fp8 rows " + r0 + "+" + n + " of " + rows);
        }
      }
      // A row's result does not depend on the other rows' values either.
      float[] other = x.clone();
      Arrays.fill(other, 0, in, 3.5f);
      float[] y = new float[rows * out];
      kernel.gemmF32(other, rows, w, out, in, y);
      assertArrayEquals(Arrays.copyOfRange(all, out, rows * out), Arrays.copyOfRange(y, out, rows * out), 0f);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void fp8EqualsF32OnTheDequantisedMatrixToTheBit(MatmulKernel kernel) {
    for (int in : INS) {
      for (int out : new int[] {1, 5, 13, 130}) {
        for (int rows = 1; rows <= 7; rows += 3) {
          check(kernel, rows, out, in);
        }
      }
    }
    check(kernel, 8, 520, 300); // the parallel path, with ragged 128x128 blocks at both edges
    check(kernel, 2, 3, 2049);
  }

  private static void check(MatmulKernel kernel, int rows, int out, int in) {
    Fp8Matrix q = KernelCases.fp8(out, in, out * 31L + in);
    float[] x = KernelCases.gaussian(rows * in, 5);
    float[] y = new float[rows * out];
    kernel.gemmFp8(x, rows, q, y);
    float[] reference = new float[rows * out];
    kernel.gemmF32(x, rows, q.dequantize(), out, in, reference);
    assertArrayEquals(reference, y, 0f, kernel + " rows " + rows + " out " + out + " in " + in);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void fp8DecodesEveryCodeExactly(MatmulKernel kernel) {
    // Each weight row holds every finite code (rotated), in 3 column blocks whose scales lie in different
    // binades; x is the identity, so row r of y is column r of W: one product and exact zeros.
    int out = 7;
    int in = 300;
    byte[] codes = new byte[out * in];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        byte code = (byte) (i + 37 * o);
        codes[o * in + i] = Float.isNaN(Fp8E4M3.decode(code)) ? 0 : code;
      }
    }
    Fp8Matrix q = new Fp8Matrix(codes, new float[] {0.5f, 3e-3f, 1.75e2f}, out, in);
    int rows = in;
    float[] x = new float[rows * in];
    for (int r = 0; r < rows; r++) {
      x[r * in + r] = 1f;
    }
    float[] y = new float[rows * out];
    kernel.gemmFp8(x, rows, q, y);
    float[] w = q.dequantize();
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        assertEquals(w[o * in + r], y[r * out + o], 0f, kernel + ": code " + (codes[o * in + r] & 0xFF) + " at (" + o + ", " + r + ")");
      }
    }

    // The NaN codes (0x7F, 0xFF) decode to NaN, which poisons exactly the outputs of their weight rows.
    codes[2 * in + 150] = Fp8E4M3.NAN;
    codes[5 * in + 7] = (byte) 0xFF;
    float[] xs = KernelCases.gaussian(3 * in, 9);
    float[] got = new float[3 * out];
    kernel.gemmFp8(xs, 3, q, got);
    float[] reference = new float[3 * out];
    kernel.gemmF32(xs, 3, q.dequantize(), out, in, reference);
    assertArrayEquals(reference, got, 0f);
    for (int r = 0; r < 3; r++) {
      for (int o = 0; o < out; o++) {
        assertEquals(o == 2 || o == 5, Float.isNaN(got[r * out + o]), kernel + " (" + r + ", " + o + ")");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void sameResultBeforeAndAfterTheJitCompilesIt(MatmulKernel kernel) {
    int rows = 5;
    int out = 9;
    int in = 45;
    float[] x = KernelCases.gaussian(rows * in, 11);
    float[] w = KernelCases.gaussian(out * in, 12);
    float[] first = new float[rows * out];
    kernel.gemmF32(x, rows, w, out, in, first);
    float[] y = new float[rows * out];
    for (int call = 0; call < 20_000; call++) {
      kernel.gemmF32(x, rows, w, out, in, y);
    }
    assertArrayEquals(first, y, 0f, kernel.toString());
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void emptyBatchAndWrongShapes(MatmulKernel kernel) {
    kernel.gemmF32(new float[0], 0, new float[6], 2, 3, new float[0]);
    assertThrows(IllegalArgumentException.class, () -> kernel.gemmF32(new float[5], 2, new float[6], 2, 3, new float[4]));
    assertThrows(IllegalArgumentException.class, () -> kernel.gemmF32(new float[6], 2, new float[5], 2, 3, new float[4]));
    assertThrows(IllegalArgumentException.class, () -> kernel.gemmFp8(new float[6], 2, KernelCases.fp8(2, 3, 1), new float[3]));
  }
}
