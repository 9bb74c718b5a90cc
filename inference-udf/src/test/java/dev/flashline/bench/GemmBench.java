package dev.flashline.bench;

import dev.flashline.engine.kernels.Kernels;
import dev.flashline.engine.kernels.MatmulKernel;
import dev.flashline.engine.quant.BlockQuantizer;
import dev.flashline.engine.quant.Fp8Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM throughput of the engine's matmul kernels ({@code y = x W^T}) in GFLOP/s (2 flops per
 * multiply-add), fp32 and block-scaled FP8 weights, for decode-sized (1, 8 rows) and prefill-sized
 * (64, 256 rows) batches on a 768x768 and a 3072x768 weight. {@code naive} is the engine's original
 * loop; {@code vector} is measured only when the JVM runs with {@code --add-modules
 * jdk.incubator.vector}. Each cell is the best of 7 timed runs of at least 0.15 s after 1 s of
 * warm-up (the best, not the median, because other load on a shared machine only ever slows a run
 * down); compare the ratios within one table. Prints Markdown.
 *
 * <p>Arguments (optional): rows, comma-separated, default {@code 1,8,64,256}; kernels,
 * comma-separated, default every one that runs here (ratios are to the first).
 */
public final class GemmBench {
  private GemmBench() {}

  public static void main(String[] args) {
    int[] rowCounts = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 8, 64, 256};
    List<MatmulKernel> kernels = new ArrayList<>();
    if (args.length > 1) {
      for (String name : args[1].split(",")) {
        kernels.add(Kernels.named(name));
      }
    } else {
      kernels.addAll(List.of(Kernels.named(Kernels.NAIVE), Kernels.named(Kernels.SCALAR)));
      if (Kernels.vectorModulePresent()) {
        kernels.add(Kernels.named(Kernels.VECTOR));
      }
    }
    System.out.println("Kernels: " + kernels + "; the engine's default here: " + Kernels.choice()
        + "; " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    System.out.println();
    StringBuilder header = new StringBuilder("| weight (out x in) | format | rows |");
    StringBuilder rule = new StringBuilder("|---|---|---:|");
    for (MatmulKernel k : kernels) {
      header.append(' ').append(k.name()).append(" GFLOP/s |");
      rule.append("---:|");
    }
    for (MatmulKernel k : kernels.subList(1, kernels.size())) {
      header.append(' ').append(k.name()).append(" / ").append(kernels.get(0).name()).append(" |");
      rule.append("---:|");
    }
    // Vector API code runs about a hundred times slower until C2 has compiled it, so every kernel's
    // paths (4x4 tiles, the single-row tail, FP8 decoding) are warmed before any cell is timed.
    for (MatmulKernel kernel : kernels) {
      int in = 768;
      int out = 768;
      float[] w = gaussian(out * in, 1, 0.05);
      Fp8Matrix q = BlockQuantizer.quantize(w, out, in);
      for (int rows : new int[] {1, 7, 64}) {
        float[] x = gaussian(rows * in, 2, 1);
        float[] y = new float[rows * out];
        secondsPerCall(() -> kernel.gemmF32(x, rows, w, out, in, y));
        secondsPerCall(() -> kernel.gemmFp8(x, rows, q, y));
      }
    }
    System.out.println(header);
    System.out.println(rule);
    for (int[] shape : new int[][] {{768, 768}, {3072, 768}}) {
      int out = shape[0];
      int in = shape[1];
      float[] w = gaussian(out * in, 1, 0.05);
      Fp8Matrix q = BlockQuantizer.quantize(w, out, in);
      for (String format : List.of("fp32", "fp8")) {
        for (int rows : rowCounts) {
          float[] x = gaussian(rows * in, 2, 1);
          float[] y = new float[rows * out];
          double[] gflops = new double[kernels.size()];
          for (int k = 0; k < kernels.size(); k++) {
            MatmulKernel kernel = kernels.get(k);
            Runnable call = format.equals("fp32") ? () -> kernel.gemmF32(x, rows, w, out, in, y) : () -> kernel.gemmFp8(x, rows, q, y);
            gflops[k] = 2.0 * rows * out * in / secondsPerCall(call) / 1e9;
          }
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %d x %d | %s | %d |", out, in, format, rows));
          for (double g : gflops) {
            line.append(String.format(Locale.ROOT, " %.2f |", g));
          }
          for (int k = 1; k < gflops.length; k++) {
            line.append(String.format(Locale.ROOT, " %.1fx |", gflops[k] / gflops[0]));
          }
          System.out.println(line);
        }
      }
    }
  }

  /** The best over 7 runs of the time per call, each run at least 0.15 s, after 1 s of warm-up. */
  private static double secondsPerCall(Runnable call) {
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    int calls = 0;
    while (System.nanoTime() < warmEnd || calls < 3) {
      call.run();
      calls++;
    }
    double[] runs = new double[7];
    for (int run = 0; run < runs.length; run++) {
      long start = System.nanoTime();
      int n = 0;
      long elapsed;
      do {
        call.run();
        n++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < 150_000_000L);
      runs[run] = elapsed / 1e9 / n;
    }
    Arrays.sort(runs);
    return runs[0];
  }

  private static float[] gaussian(int n, long seed, double scale) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * scale);
    }
    return v;
  }
}
