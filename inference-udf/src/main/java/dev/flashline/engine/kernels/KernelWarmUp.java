package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.BlockQuantizer;
import dev.flashline.engine.quant.Fp8Matrix;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warms a kernel on a daemon thread: small products that reach every branch of its code (both tile
 * shapes, the last rows and outputs, the tail past the last whole vector, more rows than one row
 * block, the fork-join path, FP8 decoding), until the JIT has compiled it.
 *
 * <p>Why the vector kernel needs it: Vector API code runs orders of magnitude slower until C2 has
 * compiled it (the interpreter and C1 build every vector as an object), and C2 compiles only the
 * branches it has seen taken. Left to real traffic, a prompt of 256 tokens compiles the kernel
 * without its single-row tail; the first decode step then hits that branch, throws the compiled code
 * away and runs interpreted until it is recompiled: several seconds of 256-token prefills at a
 * fraction of the speed, measured on the bench model. Warming every branch first avoids both.
 * Costs one thread for a second or two of CPU, once per JVM per kernel; results are never used.
 */
final class KernelWarmUp {
  /** System property: {@code false} turns the warm-up off. */
  static final String PROPERTY = "flashline.engine.kernel.warmup";

  private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
  private static final int ROUNDS = 3000;

  private KernelWarmUp() {}

  /** Starts warming {@code kernel} unless a kernel of that name was already warmed or it is turned off. */
  static void start(MatmulKernel kernel) {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) || !STARTED.add(kernel.name())) {
      return;
    }
    Thread thread = new Thread(() -> run(kernel), "flashline-kernel-warmup-" + kernel.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** The warm-up itself, on the calling thread. */
  static void run(MatmulKernel kernel) {
    // in = 67 leaves a tail for any lane count up to 64; 128 leaves none; 275 spans three FP8 blocks.
    // 5 rows = one 4x4 tile plus a single row; 70 rows > one row block; 7 and 9 outputs leave 3 and 1
    // outputs past the 4-wide tiles.
    int[][] f32 = {{1, 7, 67}, {5, 7, 67}, {70, 7, 128}, {2, 4, 128}};
    int[][] fp8 = {{1, 9, 275}, {5, 9, 275}, {70, 9, 275}};
    int[] parallel = {8, 520, 300}; // > 2^20 multiply-adds: the fork-join path
    SplittableRandom random = new SplittableRandom(1);
    float[][] f32Weights = new float[f32.length][];
    for (int s = 0; s < f32.length; s++) {
      f32Weights[s] = gaussian(random, f32[s][1] * f32[s][2]);
    }
    Fp8Matrix[] fp8Weights = new Fp8Matrix[fp8.length];
    for (int s = 0; s < fp8.length; s++) {
      fp8Weights[s] = BlockQuantizer.quantize(gaussian(random, fp8[s][1] * fp8[s][2]), fp8[s][1], fp8[s][2]);
    }
    float[] bigWeight = gaussian(random, parallel[1] * parallel[2]);
    Fp8Matrix bigFp8 = BlockQuantizer.quantize(bigWeight, parallel[1], parallel[2]);
    float[] x = gaussian(random, 70 * 300);
    float[] y = new float[70 * 520];
    for (int round = 0; round < ROUNDS; round++) {
      for (int s = 0; s < f32.length; s++) {
        kernel.gemmF32(x, f32[s][0], f32Weights[s], f32[s][1], f32[s][2], y);
      }
      for (int s = 0; s < fp8.length; s++) {
        kernel.gemmFp8(x, fp8[s][0], fp8Weights[s], y);
      }
      if (round % 300 == 0) {
        kernel.gemmF32(x, parallel[0], bigWeight, parallel[1], parallel[2], y);
        kernel.gemmFp8(x, parallel[0], bigFp8, y);
      }
    }
  }

  private static float[] gaussian(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
