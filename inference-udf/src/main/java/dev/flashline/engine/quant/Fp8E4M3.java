package dev.flashline.engine.quant;

/**
 * The OCP FP8 E4M3FN format (PyTorch {@code float8_e4m3fn}): 1 sign, 4 exponent (bias 7), 3
 * mantissa bits; no infinities, only 0x7F/0xFF are NaN, so the largest finite value is 448.
 * Encoding rounds to nearest, ties to even, and saturates: anything beyond ±448 (infinities
 * included) becomes ±448, which is what a weight quantiser wants (a clipped outlier, not a NaN).
 */
public final class Fp8E4M3 {
  public static final float MAX = 448f;
  /** Smallest normal value, 2^-6; below it the spacing is fixed at 2^-9. */
  public static final float MIN_NORMAL = 0x1p-6f;
  public static final byte NAN = 0x7F;

  private static final float[] DECODE = new float[256];

  static {
    for (int code = 0; code < 256; code++) {
      int exponent = (code >> 3) & 0xF;
      int mantissa = code & 7;
      float magnitude;
      if (exponent == 0xF && mantissa == 7) {
        magnitude = Float.NaN;
      } else if (exponent == 0) {
        magnitude = mantissa * 0x1p-9f;
      } else {
        magnitude = Math.scalb(1f + mantissa / 8f, exponent - 7);
      }
      DECODE[code] = (code & 0x80) != 0 ? -magnitude : magnitude;
    }
  }

  private Fp8E4M3() {}

  public static float decode(byte code) {
    return DECODE[code & 0xFF];
  }

  /** The decode table itself, indexed by the unsigned code; callers must not modify it. */
  static float[] table() {
    return DECODE;
  }

  public static byte encode(float value) {
    int sign = (Float.floatToRawIntBits(value) >>> 24) & 0x80;
    if (Float.isNaN(value)) {
      return (byte) (sign | NAN);
    }
    double magnitude = Math.abs((double) value);
    if (magnitude >= MAX) {
      return (byte) (sign | 0x7E);
    }
    // The spacing of representable values at this magnitude; dividing by a power of two is exact,
    // so Math.rint (ties to even) does the whole rounding.
    int exponent = magnitude < MIN_NORMAL ? -6 : Math.getExponent(magnitude);
    double quantum = Math.scalb(1.0, exponent - 3);
    double rounded = Math.rint(magnitude / quantum) * quantum; // may carry into the next binade
    int code;
    if (rounded < MIN_NORMAL) {
      code = (int) (rounded / 0x1p-9);
    } else {
      int e = Math.getExponent(rounded);
      code = ((e + 7) << 3) | ((int) (rounded / Math.scalb(1.0, e - 3)) - 8);
    }
    return (byte) (sign | code);
  }
}
