package dev.flashline.engine.quant;

/**
 * IEEE 754 binary16 (safetensors F16). The JDK's Float.float16ToFloat arrives only in Java 20, so
 * the conversion is written here: round to nearest even, overflow to infinity.
 */
public final class Fp16 {
  private Fp16() {}

  public static float decode(short bits) {
    int sign = bits & 0x8000;
    int exponent = (bits >> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    float magnitude;
    if (exponent == 0) {
      magnitude = mantissa * 0x1p-24f;
    } else if (exponent == 0x1F) {
      magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      magnitude = Math.scalb((float) (1024 + mantissa), exponent - 25);
    }
    return sign != 0 ? -magnitude : magnitude;
  }

  public static short encode(float value) {
    int sign = (Float.floatToRawIntBits(value) >>> 16) & 0x8000;
    if (Float.isNaN(value)) {
      return (short) (sign | 0x7E00);
    }
    double magnitude = Math.abs((double) value);
    if (magnitude >= 65520) { // 65520 is the tie between 65504 and 2^16, which rounds up: overflow
      return (short) (sign | 0x7C00);
    }
    int exponent = magnitude < 0x1p-14 ? -14 : Math.getExponent(magnitude);
    double quantum = Math.scalb(1.0, exponent - 10);
    double rounded = Math.rint(magnitude / quantum) * quantum;
    int code;
    if (rounded < 0x1p-14) {
      code = (int) (rounded / 0x1p-24);
    } else {
      int e = Math.getExponent(rounded);
      code = ((e + 15) << 10) | ((int) (rounded / Math.scalb(1.0, e - 10)) - 1024);
    }
    return (short) (sign | code);
  }
}
