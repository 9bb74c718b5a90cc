package dev.flashline.engine.quant;

/**
 * Quantises an fp32 weight the way DeepSeek-V3's checkpoints were made: per 128x128 block,
 * {@code scale_inv = amax / 448} (so the block's largest element lands on E4M3's largest finite
 * value), codes = E4M3(w / scale_inv). An all-zero block gets scale_inv 1 rather than 0, so that
 * dequantising never multiplies by zero-divided values and the scale stays a valid divisor.
 */
public final class BlockQuantizer {
  private BlockQuantizer() {}

  /** @param weight (out, in) row-major */
  public static Fp8Matrix quantize(float[] weight, int out, int in) {
    if (weight.length != (long) out * in) {
      throw new IllegalArgumentException("weight has " + weight.length + " values, shape (" + out + ", " + in + ") needs " + (long) out * in);
    }
    int rows = Fp8Matrix.blockRows(out);
    int cols = Fp8Matrix.blockCols(in);
    float[] scaleInv = new float[rows * cols]; // (ceil(out/128), ceil(in/128))
    byte[] codes = new byte[weight.length]; // (out, in)
    for (int br = 0; br < rows; br++) {
      int o0 = br * Fp8Matrix.BLOCK;
      int o1 = Math.min(out, o0 + Fp8Matrix.BLOCK);
      for (int bc = 0; bc < cols; bc++) {
        int i0 = bc * Fp8Matrix.BLOCK;
        int i1 = Math.min(in, i0 + Fp8Matrix.BLOCK);
        float amax = 0;
        for (int o = o0; o < o1; o++) {
          for (int i = i0; i < i1; i++) {
            float v = weight[o * in + i];
            if (!Float.isFinite(v)) {
              throw new IllegalArgumentException("weight (" + o + ", " + i + ") is " + v + "; FP8 cannot represent it");
            }
            amax = Math.max(amax, Math.abs(v));
          }
        }
        float scale = amax == 0 ? 1f : amax / Fp8E4M3.MAX;
        scaleInv[br * cols + bc] = scale;
        for (int o = o0; o < o1; o++) {
          for (int i = i0; i < i1; i++) {
            codes[o * in + i] = Fp8E4M3.encode(weight[o * in + i] / scale);
          }
        }
      }
    }
    return new Fp8Matrix(codes, scaleInv, out, in);
  }
}
