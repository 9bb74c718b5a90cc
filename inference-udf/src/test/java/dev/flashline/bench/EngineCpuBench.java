package dev.flashline.bench;

import dev.flashline.engine.LlmEngine;
import dev.flashline.engine.SamplingParams;
import dev.flashline.engine.kernels.Kernels;
import dev.flashline.engine.Sequence;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.engine.models.DecoderConfig;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.engine.quant.CheckpointConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The native engine's CPU path on a random Llama-shaped model of about 100M parameters, fp32 and
 * block-scaled FP8 weights: prefill and decode tokens/s, weight memory, and a grouped workload
 * (documents under one long shared prefix) with prefix reuse against the same token counts with
 * nothing shared. Prints the matmul kernel in use (see {@link Kernels}), then Markdown for
 * docs/benchmarks.md: the table, and prefill and decode again per CPU-second of the whole process.
 * Prefill and decode run three untimed rounds first (JIT warm-up), then the best of three timed.
 *
 * <p>Arguments: prefix-tokens documents document-tokens
 */
public final class EngineCpuBench {
  private EngineCpuBench() {}

  public static void main(String[] args) throws Exception {
    int prefix = Integer.parseInt(args[0]);
    int documents = Integer.parseInt(args[1]);
    int docTokens = Integer.parseInt(args[2]);
    Path work = Files.createTempDirectory("engine-bench");
    Path bf16 = work.resolve("bf16");
    Path fp8 = work.resolve("fp8");
    // hidden 768, 12 layers, 12 heads over 4 KV heads, SwiGLU 2048, vocab 32000: about 124M parameters.
    RandomCheckpoint.llama(12, 768, 12, 4, 2048, 32000, Dtype.BF16, 1, 2).write(bf16);
    CheckpointConverter.convert(bf16, fp8);
    System.out.println("Matmul kernel: " + Kernels.choice() + "; " + Runtime.getRuntime().availableProcessors() + " CPUs, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    System.out.println();
    System.out.println("| weights | parameters | weight memory MiB | prefill tokens/s | decode tokens/s (8 seqs) | grouped: shared prefix s | grouped: nothing shared s | speed-up | prompt tokens computed / reused |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<String> perCpuSecond = new ArrayList<>();
    for (Path dir : List.of(bf16, fp8)) {
      try (Checkpoint checkpoint = Checkpoint.open(dir)) {
        DecoderConfig config = DecoderConfig.of(checkpoint.config());
        LlamaModel model = new LlamaModel(config, checkpoint);
        long bytes = weightBytes(checkpoint);
        long params = parameters(checkpoint);
        SplittableRandom random = new SplittableRandom(3);

        // Warm up untimed: three rounds of both workloads, so the JIT has compiled the engine's hot
        // code (a Vector API kernel runs orders of magnitude slower until C2 has compiled it).
        for (int round = 0; round < 3; round++) {
          run(model, List.of(tokens(random, 256)), 1);
          run(model, prompts(random, 8, 16), 9);
        }

        // Then each workload 3 times, keeping the best: other load on a shared machine only ever
        // slows a run down. Prefill: one 256-token prompt, one output token. Decode: 8 sequences of
        // 16 prompt tokens, 32 new tokens each, in one batch.
        double prefillTps = 0;
        double prefillCpu = 0;
        double decodeTps = 0;
        double decodeCpu = 0;
        for (int round = 0; round < 3; round++) {
          long start = System.nanoTime();
          long cpu = cpuNanos();
          run(model, List.of(tokens(random, 256)), 1);
          prefillTps = Math.max(prefillTps, 256 / seconds(start));
          prefillCpu = Math.max(prefillCpu, 256 / ((cpuNanos() - cpu) / 1e9));

          List<int[]> decodePrompts = prompts(random, 8, 16);
          start = System.nanoTime();
          cpu = cpuNanos();
          run(model, decodePrompts, 33);
          decodeTps = Math.max(decodeTps, 8 * 32 / seconds(start));
          decodeCpu = Math.max(decodeCpu, 8 * 32 / ((cpuNanos() - cpu) / 1e9));
        }
        perCpuSecond.add(String.format(Locale.ROOT, "| %s | %.1f | %.1f |", dir.getFileName(), prefillCpu, decodeCpu));

        // Grouped workload: documents under one shared prefix, one output token each (a label).
        int[] shared = tokens(random, prefix);
        List<int[]> grouped = new ArrayList<>();
        List<int[]> unshared = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
          int[] doc = tokens(random, docTokens);
          grouped.add(concat(shared, doc));
          // Same lengths, but the first token differs, so no block is shared: the cache is of no use.
          int[] own = concat(shared, doc);
          own[0] = 1 + d;
          unshared.add(own);
        }
        long start = System.nanoTime();
        List<Sequence> reusing = run(model, grouped, 1);
        double groupedSeconds = seconds(start);
        start = System.nanoTime();
        run(model, unshared, 1);
        double unsharedSeconds = seconds(start);
        long computed = reusing.stream().mapToLong(Sequence::promptTokensComputed).sum();
        long reused = reusing.stream().mapToLong(Sequence::promptTokensReused).sum();
        System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %.1f | %.1f | %.1f | %.1f | %.2fx | %,d / %,d |%n",
            dir.getFileName(), params, bytes / 1048576.0, prefillTps, decodeTps, groupedSeconds, unsharedSeconds,
            unsharedSeconds / groupedSeconds, computed, reused);
      }
    }
    // The same runs per second of CPU time of the whole process (all threads): less sensitive than
    // tokens/s to other load on a shared machine, so a fairer ratio between two runs taken apart.
    System.out.println();
    System.out.println("| weights | prefill tokens per CPU-second | decode tokens per CPU-second |");
    System.out.println("|---|---:|---:|");
    perCpuSecond.forEach(System.out::println);
    try (var files = Files.walk(work)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static List<Sequence> run(LlamaModel model, List<int[]> prompts, int newTokens) {
    LlmEngine engine = new LlmEngine(model, 2048, 16, 64, 4096, -1);
    return engine.generate(prompts, new SamplingParams(0, newTokens, java.util.Set.of(), 0, true));
  }

  private static long weightBytes(Checkpoint checkpoint) {
    long bytes = 0;
    for (String name : checkpoint.names()) {
      if (name.endsWith("_scale_inv")) {
        continue;
      }
      int[] shape = checkpoint.shape(name);
      boolean linear = shape.length == 2 && name.contains("_proj.");
      bytes += linear ? checkpoint.linear(name).bytes() : 4L * elements(shape);
    }
    return bytes;
  }

  private static long parameters(Checkpoint checkpoint) {
    long n = 0;
    for (String name : checkpoint.names()) {
      if (!name.endsWith("_scale_inv")) {
        n += elements(checkpoint.shape(name));
      }
    }
    return n;
  }

  private static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static int[] tokens(SplittableRandom random, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = 2 + random.nextInt(31000);
    }
    return out;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<int[]> prompts(SplittableRandom random, int count, int length) {
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      prompts.add(tokens(random, length));
    }
    return prompts;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
