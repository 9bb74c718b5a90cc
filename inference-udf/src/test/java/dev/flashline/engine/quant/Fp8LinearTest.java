package dev.flashline.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashline.engine.F32Linear;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Fp8LinearTest {
  private static float[] input(int rows, int in, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[rows * in]; // (rows, in)
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static void check(int rows, int out, int in) {
    float[] w = BlockQuantizerTest.matrix(out, in, out * 31L + in); // (out, in)
    Fp8Matrix q = BlockQuantizer.quantize(w, out, in);
    Fp8Linear fp8 = new Fp8Linear(q);
    float[] x = input(rows, in, 5);
    float[] y = new float[rows * out]; // (rows, out)
    fp8.apply(x, y, rows);

    // Same products, same summation order as fp32 on the dequantised matrix: equal to the bit.
    float[] reference = new float[rows * out];
    new F32Linear(q.dequantize(), out, in).apply(x, reference, rows);
    assertArrayEquals(reference, y, 0f);

    // Against the original weights, off by no more than the FP8 bound per product, plus fp32 sums.
    float[] exact = new float[rows * out];
    new F32Linear(w, out, in).apply(x, exact, rows);
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        double bound = 0;
        double magnitude = 0;
        for (int i = 0; i < in; i++) {
          bound += Math.abs(x[r * in + i]) * Fp8Bounds.elementBound(w[o * in + i], q.scaleInv(o, i));
          magnitude += Math.abs(x[r * in + i] * w[o * in + i]);
        }
        bound += 2 * in * 0x1p-24 * (magnitude + bound); // two fp32 accumulations of `in` terms
        double err = Math.abs((double) y[r * out + o] - exact[r * out + o]);
        assertTrue(err <= bound, "(" + r + ", " + o + ") error " + err + " > " + bound);
      }
    }
    assertEquals((long) out * in + 4L * q.scaleInv().length, fp8.bytes());
    assertEquals(in, fp8.inFeatures());
    assertEquals(out, fp8.outFeatures());
  }

  @Test
  void matchesF32OnSmallRaggedShapes() {
    check(3, 130, 200);
    check(1, 7, 5);
  }

  @Test
  void matchesF32OnTheParallelPath() {
    check(8, 520, 300); // 8 x 520 x 300 > 2^20 multiply-adds: runs on the fork-join pool
  }
}
