package dev.flashline.engine.quant;

/**
 * A weight matrix in DeepSeek-V3's block-scaled FP8: E4M3 codes plus one fp32 {@code scale_inv}
 * per 128x128 block (ragged edge blocks are partial), so that {@code w = decode(code) * scale_inv}.
 *
 * @param codes (out, in) E4M3 codes, row-major
 * @param scaleInv (ceil(out/128), ceil(in/128)) per-block multipliers, row-major
 */
public record Fp8Matrix(byte[] codes, float[] scaleInv, int out, int in) {
  public static final int BLOCK = 128;

  public Fp8Matrix {
    if (out <= 0 || in <= 0) {
      throw new IllegalArgumentException("shape (" + out + ", " + in + ") must be positive");
    }
    if (codes.length != (long) out * in) {
      throw new IllegalArgumentException("codes has " + codes.length + " bytes, shape (" + out + ", " + in + ") needs " + (long) out * in);
    }
    int blocks = blockRows(out) * blockCols(in);
    if (scaleInv.length != blocks) {
      throw new IllegalArgumentException("scale_inv has " + scaleInv.length + " values, (" + out + ", " + in + ") in 128x128 blocks needs (" + blockRows(out) + ", " + blockCols(in) + ")");
    }
  }

  public static int blockRows(int out) {
    return (out + BLOCK - 1) / BLOCK;
  }

  public static int blockCols(int in) {
    return (in + BLOCK - 1) / BLOCK;
  }

  public float scaleInv(int row, int col) {
    return scaleInv[(row / BLOCK) * blockCols(in) + col / BLOCK];
  }

  /** The fp32 matrix this stands for, (out, in): each element decode(code) * its block's scale_inv. */
  public float[] dequantize() {
    float[] w = new float[codes.length]; // (out, in)
    for (int o = 0; o < out; o++) {
      dequantizeRow(o, w, o * in);
    }
    return w;
  }

  /**
   * Writes row {@code row} of {@link #dequantize()} into {@code dst[offset, offset + in)}: the same
   * values, one fp32 multiply each, without materialising the whole matrix.
   */
  public void dequantizeRow(int row, float[] dst, int offset) {
    float[] table = Fp8E4M3.table();
    int scaleRow = (row / BLOCK) * blockCols(in);
    int base = row * in;
    for (int i = 0; i < in; i++) {
      dst[offset + i] = table[codes[base + i] & 0xFF] * scaleInv[scaleRow + i / BLOCK];
    }
  }

  public long bytes() {
    return codes.length + 4L * scaleInv.length;
  }
}
