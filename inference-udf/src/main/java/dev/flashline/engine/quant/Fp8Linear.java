package dev.flashline.engine.quant;

import dev.flashline.engine.Linear;
import java.util.stream.IntStream;

/**
 * A block-scaled FP8 weight kept at one byte per parameter, dequantised row by row inside
 * {@link #apply}. Each output row is decoded once into a scratch buffer and reused for every
 * input row, so the decode cost is amortised over the batch; the products and their summation
 * order match {@link dev.flashline.engine.F32Linear} on {@link Fp8Matrix#dequantize()} exactly.
 */
public final class Fp8Linear implements Linear {
  /** Output rows per parallel task: enough work to be worth a fork, few enough to balance. */
  private static final int ROWS_PER_TASK = 16;

  private final Fp8Matrix weight;

  public Fp8Linear(Fp8Matrix weight) {
    this.weight = weight;
  }

  public Fp8Matrix weight() {
    return weight;
  }

  @Override
  public int inFeatures() {
    return weight.in();
  }

  @Override
  public int outFeatures() {
    return weight.out();
  }

  @Override
  public void apply(float[] x, float[] y, int rows) {
    int in = weight.in();
    int out = weight.out();
    if (x.length < (long) rows * in || y.length < (long) rows * out) {
      throw new IllegalArgumentException("x needs (" + rows + ", " + in + ") and y (" + rows + ", " + out + "); got " + x.length + " and " + y.length + " values");
    }
    int tasks = (out + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    IntStream chunks = IntStream.range(0, tasks);
    if ((long) rows * out * in > 1 << 20) {
      chunks = chunks.parallel();
    }
    chunks.forEach(t -> multiply(x, y, rows, t * ROWS_PER_TASK, Math.min(out, (t + 1) * ROWS_PER_TASK)));
  }

  private void multiply(float[] x, float[] y, int rows, int o0, int o1) {
    float[] table = Fp8E4M3.table();
    byte[] codes = weight.codes(); // (out, in)
    float[] scaleInv = weight.scaleInv(); // (ceil(out/128), ceil(in/128))
    int in = weight.in();
    int out = weight.out();
    int cols = Fp8Matrix.blockCols(in);
    float[] row = new float[in]; // one dequantised weight row
    for (int o = o0; o < o1; o++) {
      int base = o * in;
      int scaleRow = (o / Fp8Matrix.BLOCK) * cols;
      for (int i = 0; i < in; i++) {
        row[i] = table[codes[base + i] & 0xFF] * scaleInv[scaleRow + i / Fp8Matrix.BLOCK];
      }
      for (int r = 0; r < rows; r++) {
        int xi = r * in;
        float sum = 0;
        for (int i = 0; i < in; i++) {
          sum += x[xi + i] * row[i];
        }
        y[r * out + o] = sum;
      }
    }
  }

  @Override
  public long bytes() {
    return weight.bytes();
  }
}
