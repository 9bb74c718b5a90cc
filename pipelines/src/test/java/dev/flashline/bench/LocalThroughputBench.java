package dev.flashline.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashline.backend.local.EncoderModel;
import dev.flashline.backend.local.EncoderModelSpec;
import dev.flashline.pipeline.LabelJob;
import dev.flashline.pipeline.LabelRequest;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.report.CostReport;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local backend's throughput: the model on its own (every core busy, one text per call as the
 * pipeline runs it, and batched for reference), then the whole file job on DirectRunner and on
 * Flink's embedded cluster, in one JVM so the numbers compare. Prints a Markdown table. Run by
 * bench/local-throughput.sh.
 *
 * <p>Arguments: job.yaml input.jsonl [copies] [work-dir]
 */
public final class LocalThroughputBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    JobSpec job = JobSpecLoader.load(Path.of(args[0]));
    Path jsonl = Path.of(args[1]);
    int copies = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path work = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("flashline-bench");
    int cores = Runtime.getRuntime().availableProcessors();

    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl)) {
      if (!line.isBlank()) {
        texts.add(JSON.readTree(line).get(job.textField()).asText());
      }
    }
    Path input = replicate(jsonl, copies, work.resolve("input.jsonl"));
    int records = texts.size() * copies;

    List<String[]> rows = new ArrayList<>();
    EncoderModelSpec spec = EncoderModelSpec.named(job.local().model());
    try (EncoderModel model = EncoderModel.load(spec)) {
      rawOneAtATime(model, texts.subList(0, Math.min(300, texts.size())), cores); // warm-up
      for (int threads = 1; threads <= cores; threads *= 2) {
        rows.add(row("model alone, 1 text per call (the pipeline's mode)", threads, texts.size(), rawOneAtATime(model, texts, threads)));
      }
    }
    double batched = rawBatched(spec, texts, cores, 8);
    rows.add(row("model alone, length-sorted batches of 8 (not used: int8 results then depend on the batch)", cores, texts.size(), batched));
    double raw = Double.parseDouble(rows.get(rows.size() - 2)[3].replace(",", ""));

    for (RunnerChoice runner : RunnerChoice.values()) {
      Path output = work.resolve("out-" + runner.displayName());
      CostReport report =
          LabelJob.run(new LabelRequest(job, input, output, runner, cores, null, false), new PrintWriter(new StringWriter()));
      rows.add(
          row(
              "file job on " + runner.displayName() + String.format(Locale.ROOT, " (%.0f%% of the model alone)", 100 * report.recordsPerSecond() / raw),
              cores,
              records,
              report.recordsPerSecond()));
      if (runner == RunnerChoice.DIRECT && report.quality() != null) {
        var spam = report.quality().perLabel();
        System.out.printf(
            Locale.ROOT,
            "quality on %,d judged records: accuracy %.4f, %s%n",
            report.quality().evaluated(),
            report.quality().accuracy(),
            spam.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s P %.3f R %.3f", e.getKey(), e.getValue().precision(), e.getValue().recall()))
                .toList());
        System.out.printf(Locale.ROOT, "cost: $%.6f per 1,000 records, %.2f CPU-ms per record%n", report.costPer1000RecordsUsd(), 1000 * report.computeSeconds() / report.records());
      }
    }

    System.out.printf(Locale.ROOT, "%n%d cores, %s, Java %s%n%n", cores, cpuModel(), System.getProperty("java.version"));
    System.out.println("| what | threads | records | records/s |");
    System.out.println("|---|---:|---:|---:|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
  }

  private static String[] row(String what, int threads, int records, double perSecond) {
    return new String[] {what, Integer.toString(threads), String.format(Locale.ROOT, "%,d", records), String.format(Locale.ROOT, "%,.0f", perSecond)};
  }

  /** Texts per second with {@code threads} threads sharing one model, one text per call. */
  static double rawOneAtATime(EncoderModel model, List<String> texts, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    double seconds =
        onThreads(
            threads,
            () -> {
              for (int i = next.getAndIncrement(); i < texts.size(); i = next.getAndIncrement()) {
                model.embed(texts.get(i));
              }
              return null;
            });
    return texts.size() / seconds;
  }

  /** Runs the work on {@code threads} threads at once; returns the wall seconds until all finish. */
  private static double onThreads(int threads, java.util.concurrent.Callable<Void> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(work));
      }
      for (Future<Void> f : done) {
        f.get();
      }
      return (System.nanoTime() - start) / 1e9;
    } finally {
      pool.shutdown();
    }
  }

  /** Texts per second in length-sorted padded batches, one single-threaded session per thread's calls. */
  static double rawBatched(EncoderModelSpec spec, List<String> texts, int threads, int batch) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] onnx;
    HuggingFaceTokenizer tokenizer;
    try (InputStream in = LocalThroughputBench.class.getClassLoader().getResourceAsStream(spec.onnxResource());
        InputStream json = LocalThroughputBench.class.getClassLoader().getResourceAsStream(spec.tokenizerResource())) {
      onnx = in.readAllBytes();
      tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "true", "maxLength", Integer.toString(spec.maxPositions()), "padding", "false"));
    }
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    try (OrtSession session = env.createSession(onnx, options)) {
      List<long[]> ids = new ArrayList<>();
      for (String text : texts) {
        ids.add(tokenizer.encode(spec.textPrefix() + text).getIds());
      }
      ids.sort(Comparator.comparingInt(a -> a.length));
      AtomicInteger next = new AtomicInteger();
      double seconds =
          onThreads(
              threads,
              () -> {
                for (int from = next.getAndAdd(batch); from < ids.size(); from = next.getAndAdd(batch)) {
                  List<long[]> chunk = ids.subList(from, Math.min(ids.size(), from + batch));
                  int length = chunk.get(chunk.size() - 1).length;
                  long[] flat = new long[chunk.size() * length];
                  long[] mask = new long[flat.length];
                  for (int b = 0; b < chunk.size(); b++) {
                    long[] x = chunk.get(b);
                    System.arraycopy(x, 0, flat, b * length, x.length);
                    java.util.Arrays.fill(mask, b * length, b * length + x.length, 1L);
                  }
                  long[] shape = {chunk.size(), length};
                  Map<String, OnnxTensor> inputs = new HashMap<>();
                  inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape));
                  inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                  inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[flat.length]), shape));
                  try (OrtSession.Result result = session.run(inputs)) {
                    ((OnnxTensor) result.get(0)).getFloatBuffer();
                  } finally {
                    inputs.values().forEach(OnnxTensor::close);
                  }
                }
                return null;
              });
      return texts.size() / seconds;
    } finally {
      tokenizer.close();
    }
  }

  /** The input repeated {@code copies} times with distinct ids, so bigger jobs can be measured. */
  private static Path replicate(Path jsonl, int copies, Path out) throws Exception {
    Files.createDirectories(out.getParent());
    List<String> lines = Files.readAllLines(jsonl);
    try (BufferedWriter writer = Files.newBufferedWriter(out)) {
      for (int copy = 0; copy < copies; copy++) {
        for (String line : lines) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode node = JSON.readTree(line);
          if (copy > 0) {
            ((ObjectNode) node).put("id", node.get("id").asText() + "-" + copy);
          }
          writer.write(JSON.writeValueAsString(node));
          writer.newLine();
        }
      }
    }
    return out;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown CPU");
    } catch (Exception e) {
      return "unknown CPU";
    }
  }
}
