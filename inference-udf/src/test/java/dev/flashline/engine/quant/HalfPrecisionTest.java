package dev.flashline.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
  @Test
  void everyFp16CodeRoundTrips() {
    for (int c = 0; c < 0x10000; c++) {
      float f = Fp16.decode((short) c);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Fp16.decode(Fp16.encode(f))));
      } else {
        assertEquals((short) c, Fp16.encode(f), "fp16 code " + Integer.toHexString(c));
      }
    }
  }

  @Test
  void fp16RoundsToNearestEvenAndOverflowsToInfinity() {
    assertEquals(65504f, Fp16.decode(Fp16.encode(65519f)));
    assertEquals(Float.POSITIVE_INFINITY, Fp16.decode(Fp16.encode(65520f)));
    assertEquals(1f, Fp16.decode(Fp16.encode(1f + 0x1p-11f))); // tie, to even
    assertEquals(1f + 0x1p-9f, Fp16.decode(Fp16.encode(1f + 0x3p-11f))); // tie, to even (up)
    assertEquals(0x1p-24f, Fp16.decode((short) 1));
    assertEquals(0f, Fp16.decode(Fp16.encode(0x1p-25f)));
  }

  @Test
  void everyBf16CodeRoundTripsAndRoundsToNearestEven() {
    for (int c = 0; c < 0x10000; c++) {
      float f = Bf16.decode((short) c);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Bf16.decode(Bf16.encode(f))));
      } else {
        assertEquals((short) c, Bf16.encode(f));
      }
    }
    assertEquals(1f, Bf16.decode(Bf16.encode(1f + 0x1p-8f)));
    assertEquals(1f + 0x1p-6f, Bf16.decode(Bf16.encode(1f + 0x3p-8f)));
    assertEquals(1f + 0x1p-7f, Bf16.decode(Bf16.encode(1f + 0x1p-8f + 0x1p-20f)));
  }
}
