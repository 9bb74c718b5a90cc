package dev.flashline.engine.quant;

/** bfloat16: the top half of a float32, so decoding is exact; encoding rounds to nearest even. */
public final class Bf16 {
  private Bf16() {}

  public static float decode(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  public static short encode(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040); // keep it a (quiet) NaN after truncation
    }
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }
}
