package dev.flashline.engine.kernels;

import java.util.stream.IntStream;

/**
 * How a product is split across threads: contiguous chunks of output features, one fork-join task
 * each, on the common pool once the product is large enough to pay for the fork. Splitting by
 * output never splits a sum, so it cannot change a result.
 */
final class OutputChunks {
  /** Multiply-adds below which one thread does the whole product (as the engine always did). */
  static final long PARALLEL_THRESHOLD = 1 << 20;

  /** Computes outputs {@code [from, to)} for every row. */
  @FunctionalInterface
  interface Body {
    void run(int from, int to);
  }

  private OutputChunks() {}

  /** Runs {@code body} over {@code [0, out)} in chunks of {@code chunk} outputs (the last may be short). */
  static void forEach(int rows, int out, int in, int chunk, Body body) {
    int tasks = (out + chunk - 1) / chunk;
    if (tasks <= 1 || (long) rows * out * in <= PARALLEL_THRESHOLD) {
      for (int from = 0; from < out; from += chunk) {
        body.run(from, Math.min(out, from + chunk));
      }
      return;
    }
    IntStream.range(0, tasks).parallel().forEach(t -> body.run(t * chunk, Math.min(out, (t + 1) * chunk)));
  }

  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

  /**
   * A buffer of at least {@code n} floats owned by the calling thread, for dequantised weight rows;
   * its contents are garbage. Valid until the thread's next call.
   */
  static float[] scratch(int n) {
    float[] buffer = SCRATCH.get();
    if (buffer.length < n) {
      buffer = new float[n];
      SCRATCH.set(buffer);
    }
    return buffer;
  }

  /** Checks the arrays hold the shapes the call names. */
  static void check(float[] x, int rows, int in, float[] y, int out, int weights, long needed) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows " + rows + " < 0");
    }
    if (x.length < (long) rows * in || y.length < (long) rows * out) {
      throw new IllegalArgumentException("x needs (" + rows + ", " + in + ") and y (" + rows + ", " + out + "); got "
          + x.length + " and " + y.length + " values");
    }
    if (weights != needed) {
      throw new IllegalArgumentException("weight has " + weights + " values, shape (" + out + ", " + in + ") needs " + needed);
    }
  }
}
