package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.Fp8Matrix;

/**
 * Plain Java, register-tiled: each pass over {@code in} computes a tile of 4 rows of {@code x} by 4
 * weight rows with 16 independent accumulators, so the loads of a tile are shared by 16 sums and
 * the adds no longer wait on each other (the naive loop is one long chain of dependent adds). Rows
 * are taken in blocks that stay in cache while a chunk of weight rows is swept over them.
 *
 * <p>Every accumulator still computes {@code sum += x[i] * w[i]} from {@code i = 0}, a multiply and
 * an add each rounded to fp32, exactly as {@link NaiveKernel} does, so this kernel equals the naive
 * one to the bit for any batch. Ragged edges (rows or outputs not a multiple of 4) use smaller tiles
 * with the same per-element order. Needs nothing beyond Java 17: the fallback wherever the Vector
 * API is not enabled.
 */
final class ScalarKernel implements MatmulKernel {
  /** Output features per parallel task (a multiple of the tile's 4). */
  private static final int CHUNK = 32;
  /** FP8 output features per task: their dequantised rows are the scratch buffer. */
  private static final int FP8_CHUNK = 16;
  /** Rows of x swept per pass over a chunk, about 200 KB of x at in = 768 (stays in L2). */
  private static final int ROW_BLOCK = 64;

  @Override
  public String name() {
    return Kernels.SCALAR;
  }

  @Override
  public void gemmF32(float[] x, int rows, float[] w, int out, int in, float[] y) {
    OutputChunks.check(x, rows, in, y, out, w.length, (long) out * in);
    OutputChunks.forEach(rows, out, in, CHUNK, (o0, o1) -> panel(x, rows, in, w, o0 * in, o1 - o0, y, out, o0));
  }

  @Override
  public void gemmFp8(float[] x, int rows, Fp8Matrix w, float[] y) {
    int in = w.in();
    int out = w.out();
    OutputChunks.check(x, rows, in, y, out, w.codes().length, (long) out * in);
    OutputChunks.forEach(rows, out, in, FP8_CHUNK, (o0, o1) -> {
      float[] scratch = OutputChunks.scratch((o1 - o0) * in); // the chunk's weight rows, dequantised
      for (int o = o0; o < o1; o++) {
        w.dequantizeRow(o, scratch, (o - o0) * in);
      }
      panel(x, rows, in, scratch, 0, o1 - o0, y, out, o0);
    });
  }

  /**
   * {@code y[r][o0 + j]} for every row {@code r} and {@code j < n}, weight row {@code j} starting at
   * {@code w[w0 + j * in]}.
   */
  static void panel(float[] x, int rows, int in, float[] w, int w0, int n, float[] y, int out, int o0) {
    for (int rb = 0; rb < rows; rb += ROW_BLOCK) {
      int re = Math.min(rows, rb + ROW_BLOCK);
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int wj = w0 + j * in;
        int r = rb;
        for (; r + 4 <= re; r += 4) {
          tile4x4(x, r * in, in, w, wj, y, r * out + o0 + j, out);
        }
        for (; r < re; r++) {
          tile1x4(x, r * in, in, w, wj, y, r * out + o0 + j);
        }
      }
      for (; j < n; j++) {
        int wj = w0 + j * in;
        for (int r = rb; r < re; r++) {
          y[r * out + o0 + j] = dot(x, r * in, w, wj, in);
        }
      }
    }
  }

  private static void tile4x4(float[] x, int x0, int in, float[] w, int w0, float[] y, int y0, int out) {
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    int w1 = w0 + in;
    int w2 = w1 + in;
    int w3 = w2 + in;
    float s00 = 0, s01 = 0, s02 = 0, s03 = 0;
    float s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    float s20 = 0, s21 = 0, s22 = 0, s23 = 0;
    float s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (int i = 0; i < in; i++) {
      float a0 = x[x0 + i];
      float a1 = x[x1 + i];
      float a2 = x[x2 + i];
      float a3 = x[x3 + i];
      float b0 = w[w0 + i];
      float b1 = w[w1 + i];
      float b2 = w[w2 + i];
      float b3 = w[w3 + i];
      s00 += a0 * b0;
      s01 += a0 * b1;
      s02 += a0 * b2;
      s03 += a0 * b3;
      s10 += a1 * b0;
      s11 += a1 * b1;
      s12 += a1 * b2;
      s13 += a1 * b3;
      s20 += a2 * b0;
      s21 += a2 * b1;
      s22 += a2 * b2;
      s23 += a2 * b3;
      s30 += a3 * b0;
      s31 += a3 * b1;
      s32 += a3 * b2;
      s33 += a3 * b3;
    }
    y[y0] = s00;
    y[y0 + 1] = s01;
    y[y0 + 2] = s02;
    y[y0 + 3] = s03;
    y[y0 + out] = s10;
    y[y0 + out + 1] = s11;
    y[y0 + out + 2] = s12;
    y[y0 + out + 3] = s13;
    y[y0 + 2 * out] = s20;
    y[y0 + 2 * out + 1] = s21;
    y[y0 + 2 * out + 2] = s22;
    y[y0 + 2 * out + 3] = s23;
    y[y0 + 3 * out] = s30;
    y[y0 + 3 * out + 1] = s31;
    y[y0 + 3 * out + 2] = s32;
    y[y0 + 3 * out + 3] = s33;
  }

  private static void tile1x4(float[] x, int x0, int in, float[] w, int w0, float[] y, int y0) {
    int w1 = w0 + in;
    int w2 = w1 + in;
    int w3 = w2 + in;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int i = 0; i < in; i++) {
      float a = x[x0 + i];
      s0 += a * w[w0 + i];
      s1 += a * w[w1 + i];
      s2 += a * w[w2 + i];
      s3 += a * w[w3 + i];
    }
    y[y0] = s0;
    y[y0 + 1] = s1;
    y[y0 + 2] = s2;
    y[y0 + 3] = s3;
  }

  private static float dot(float[] x, int x0, float[] w, int w0, int in) {
    float s = 0;
    for (int i = 0; i < in; i++) {
      s += x[x0 + i] * w[w0 + i];
    }
    return s;
  }

  @Override
  public String toString() {
    return name();
  }
}
