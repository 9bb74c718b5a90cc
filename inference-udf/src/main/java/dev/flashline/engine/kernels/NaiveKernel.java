package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.Fp8Matrix;
import java.util.stream.IntStream;

/**
 * The engine's original loops, kept as the baseline the faster kernels are measured and checked
 * against: one output element at a time, {@code sum += x[i] * w[i]} from {@code i = 0} (a multiply
 * then an add, each rounded to fp32), parallel over output features. FP8 decodes one weight row into
 * a scratch buffer and dots it with every row of {@code x}. {@link ScalarKernel} computes the same
 * sums in the same order, so the two agree to the bit.
 */
final class NaiveKernel implements MatmulKernel {
  /** Output rows per parallel FP8 task. */
  private static final int FP8_ROWS_PER_TASK = 16;

  @Override
  public String name() {
    return Kernels.NAIVE;
  }

  @Override
  public void gemmF32(float[] x, int rows, float[] w, int out, int in, float[] y) {
    OutputChunks.check(x, rows, in, y, out, w.length, (long) out * in);
    IntStream outputs = IntStream.range(0, out);
    if ((long) rows * out * in > OutputChunks.PARALLEL_THRESHOLD) {
      outputs = outputs.parallel();
    }
    outputs.forEach(o -> {
      int wi = o * in;
      for (int r = 0; r < rows; r++) {
        int xi = r * in;
        float sum = 0;
        for (int i = 0; i < in; i++) {
          sum += x[xi + i] * w[wi + i];
        }
        y[r * out + o] = sum;
      }
    });
  }

  @Override
  public void gemmFp8(float[] x, int rows, Fp8Matrix w, float[] y) {
    int in = w.in();
    int out = w.out();
    OutputChunks.check(x, rows, in, y, out, w.codes().length, (long) out * in);
    OutputChunks.forEach(rows, out, in, FP8_ROWS_PER_TASK, (o0, o1) -> {
      float[] row = new float[in]; // one dequantised weight row
      for (int o = o0; o < o1; o++) {
        w.dequantizeRow(o, row, 0);
        for (int r = 0; r < rows; r++) {
          int xi = r * in;
          float sum = 0;
          for (int i = 0; i < in; i++) {
            sum += x[xi + i] * row[i];
          }
          y[r * out + o] = sum;
        }
      }
    });
  }

  @Override
  public String toString() {
    return name();
  }
}
