package dev.flashline.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockQuantizerTest {
  /** (out, in) with ragged edge blocks, rows of very different magnitude and one all-zero block. */
  static float[] matrix(int out, int in, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] w = new float[out * in];
    for (int o = 0; o < out; o++) {
      double rowScale = Math.pow(10, random.nextInt(-4, 1)); // small rows fall into E4M3 subnormals
      for (int i = 0; i < in; i++) {
        boolean zeroBlock = o >= 128 && o < 256 && i >= 128;
        w[o * in + i] = zeroBlock ? 0f : (float) (random.nextGaussian() * 0.02 * rowScale);
      }
    }
    return w;
  }

  @Test
  void everyElementIsWithinHalfAnUlpOfItsBinade() {
    int out = 300;
    int in = 200;
    float[] w = matrix(out, in, 1); // (out, in)
    Fp8Matrix q = BlockQuantizer.quantize(w, out, in);
    float[] back = q.dequantize();
    double worstRelative = 0;
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        float x = w[o * in + i];
        double err = Math.abs((double) back[o * in + i] - x);
        double bound = Fp8Bounds.elementBound(x, q.scaleInv(o, i));
        assertTrue(err <= bound, "(" + o + ", " + i + "): w " + x + " back " + back[o * in + i] + " error " + err + " > " + bound);
        if (Math.abs(x) / q.scaleInv(o, i) >= Fp8E4M3.MIN_NORMAL) {
          worstRelative = Math.max(worstRelative, err / Math.abs(x));
        }
      }
    }
    // The bound is tight: some element really does lose close to 2^-4 of itself.
    assertTrue(worstRelative > 0x1p-5, "worst relative error " + worstRelative);
  }

  @Test
  void scalesAreBlockAmaxOver448AndOneForZeroBlocks() {
    int out = 300;
    int in = 200;
    float[] w = matrix(out, in, 2);
    Fp8Matrix q = BlockQuantizer.quantize(w, out, in);
    assertEquals(3 * 2, q.scaleInv().length); // (ceil(300/128), ceil(200/128))
    for (int br = 0; br < 3; br++) {
      for (int bc = 0; bc < 2; bc++) {
        float amax = 0;
        int amaxAt = -1;
        for (int o = br * 128; o < Math.min(out, br * 128 + 128); o++) {
          for (int i = bc * 128; i < Math.min(in, bc * 128 + 128); i++) {
            if (Math.abs(w[o * in + i]) > amax) {
              amax = Math.abs(w[o * in + i]);
              amaxAt = o * in + i;
            }
          }
        }
        float scale = q.scaleInv()[br * 2 + bc];
        if (amax == 0) {
          assertEquals(1f, scale, "all-zero block (" + br + ", " + bc + ")");
        } else {
          assertEquals(amax / 448f, scale);
          assertEquals(448f, Math.abs(Fp8E4M3.decode(q.codes()[amaxAt])), "the block's largest element maps to 448");
        }
      }
    }
    assertEquals(1f, q.scaleInv()[1 * 2 + 1]); // rows 128..255, cols 128..199 are zero
  }

  @Test
  void rejectsNonFiniteWeights() {
    float[] w = {1f, Float.NaN, 0f, 0f};
    assertThrows(IllegalArgumentException.class, () -> BlockQuantizer.quantize(w, 2, 2));
  }
}
