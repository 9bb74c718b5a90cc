package dev.flashline.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Fp8E4M3Test {
  @Test
  void everyCodeDecodesAndEncodesBackToItself() {
    int nans = 0;
    for (int c = 0; c < 256; c++) {
      float f = Fp8E4M3.decode((byte) c);
      if (Float.isNaN(f)) {
        nans++;
        assertEquals(0x7F, c & 0x7F, "only 0x7F/0xFF are NaN, not " + c);
        assertEquals((byte) c, Fp8E4M3.encode(Float.intBitsToFloat(Float.floatToRawIntBits(Float.NaN) | (c & 0x80) << 24)));
      } else {
        assertEquals((byte) c, Fp8E4M3.encode(f), "code 0x" + Integer.toHexString(c) + " = " + f);
      }
    }
    assertEquals(2, nans);
  }

  @Test
  void knownValues() {
    assertEquals(448f, Fp8E4M3.decode((byte) 0x7E));
    assertEquals(-448f, Fp8E4M3.decode((byte) 0xFE));
    assertEquals(0x1p-6f, Fp8E4M3.decode((byte) 0x08)); // smallest normal
    assertEquals(0x1p-9f, Fp8E4M3.decode((byte) 0x01)); // smallest subnormal
    assertEquals(0x7p-9f, Fp8E4M3.decode((byte) 0x07)); // largest subnormal
    assertEquals(1f, Fp8E4M3.decode((byte) 0x38));
    assertEquals(1.125f, Fp8E4M3.decode((byte) 0x39));
    assertEquals(-0f, Fp8E4M3.decode((byte) 0x80));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Fp8E4M3.decode((byte) 0x80)));
  }

  @Test
  void tiesRoundToEvenAndOtherwiseToNearest() {
    for (int c = 0; c < 0x7E; c++) {
      float lo = Fp8E4M3.decode((byte) c);
      float hi = Fp8E4M3.decode((byte) (c + 1));
      float mid = (lo + hi) / 2; // exact: both have few significant bits
      int even = (c & 1) == 0 ? c : c + 1;
      assertEquals((byte) even, Fp8E4M3.encode(mid), "tie between " + lo + " and " + hi);
      assertEquals((byte) (even | 0x80), Fp8E4M3.encode(-mid));
      assertEquals((byte) c, Fp8E4M3.encode(Math.nextDown(mid)));
      assertEquals((byte) (c + 1), Fp8E4M3.encode(Math.nextUp(mid)));
    }
  }

  @Test
  void encodeIsTheNearestCodeForRandomValues() {
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 20_000; n++) {
      float x = (float) (random.nextDouble(-1, 1) * Math.pow(2, random.nextInt(-12, 10)));
      float got = Fp8E4M3.decode(Fp8E4M3.encode(x));
      double best = Double.MAX_VALUE;
      for (int c = 0; c < 256; c++) {
        float v = Fp8E4M3.decode((byte) c);
        if (!Float.isNaN(v)) {
          best = Math.min(best, Math.abs((double) v - x));
        }
      }
      assertEquals(best, Math.abs((double) got - x), 0.0, "x = " + x);
    }
  }

  @Test
  void saturatesInsteadOfOverflowing() {
    assertEquals((byte) 0x7E, Fp8E4M3.encode(448f));
    assertEquals((byte) 0x7E, Fp8E4M3.encode(449f));
    assertEquals((byte) 0x7E, Fp8E4M3.encode(464f)); // the tie above 448 would round to 480
    assertEquals((byte) 0x7E, Fp8E4M3.encode(1e30f));
    assertEquals((byte) 0x7E, Fp8E4M3.encode(Float.POSITIVE_INFINITY));
    assertEquals((byte) 0xFE, Fp8E4M3.encode(Float.NEGATIVE_INFINITY));
    assertEquals((byte) 0xFE, Fp8E4M3.encode(-1000f));
    assertEquals(Fp8E4M3.NAN, Fp8E4M3.encode(Float.NaN));
    assertTrue(Float.isNaN(Fp8E4M3.decode(Fp8E4M3.encode(Float.NaN))));
  }

  @Test
  void underflowsToSignedZeroAtHalfTheSmallestSubnormal() {
    assertEquals((byte) 0x00, Fp8E4M3.encode(0x1p-10f)); // tie: to even, which is zero
    assertEquals((byte) 0x01, Fp8E4M3.encode(Math.nextUp(0x1p-10f)));
    assertEquals((byte) 0x00, Fp8E4M3.encode(Float.MIN_VALUE));
    assertEquals((byte) 0x80, Fp8E4M3.encode(-0f));
    assertEquals((byte) 0x80, Fp8E4M3.encode(-Float.MIN_VALUE));
    assertEquals((byte) 0x02, Fp8E4M3.encode(0x3p-10f)); // tie between 1 and 2 subnormal steps
  }
}
