package dev.flashline.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.local.EncoderModel;
import dev.flashline.backend.local.EncoderModelSpec;
import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.FewShotTrainer;
import dev.flashline.engine.models.BertConfig;
import dev.flashline.engine.models.BertEncoder;
import dev.flashline.engine.quant.CheckpointConverter;
import dev.flashline.task.Example;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import dev.flashline.task.LabelSpec;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real weights of the local backend's bundled model (intfloat/e5-small-v2, int8 ONNX) taken
 * out of the ONNX graph, run by the engine in fp32 and FP8, and compared with ONNX Runtime on the
 * same texts, tokenised by the backend's own code.
 *
 * <p><b>Which ONNX Runtime run is the reference.</b> The bundled graph quantises activations to
 * uint8 at run time (DynamicQuantizeLinear before every MatMulInteger, one scale per tensor),
 * which the engine does not do. That alone moves the backend's vectors away from the fp32
 * computation on the same weights: over 582 SMS texts ONNX Runtime's own fp32 run of the graph is
 * at a cosine of 0.9951 (min) / 0.9981 (mean) from the backend. The engine cannot reach 0.999
 * against the backend, and should not: the gap is the backend's quantisation noise, not an error
 * of the engine. The engine is therefore held to 0.999 (fp32) and 0.99 (FP8) against ONNX
 * Runtime running the same graph with the weights dequantised and activations left in fp32
 * ({@link OnnxDequantizer}); against the backend itself it is held to being as close as ONNX
 * Runtime's own fp32 run is, text by text. All of these numbers are printed.
 *
 * <p>Texts: 8 examples per class and the two label descriptions of the SMS job, and 60 messages
 * drawn with a fixed seed from the rest of the sample (78 texts, about 2,200 tokens, which the
 * engine's plain Java loops run in about 15 s per precision on two idle cores). The accuracy on
 * so few is a smoke test; the system properties below rerun it at full size (the job's 40
 * examples per class, 500 messages: backend 0.984, engine fp32 0.982, FP8 0.984, ONNX Runtime
 * fp32 0.982).
 */
class OnnxBertImporterTest {
  // Larger runs: -Donnx.parity.examplesPerLabel=40 (all of the job's) -Donnx.parity.messages=500
  private static final int EXAMPLES_PER_LABEL = Integer.getInteger("onnx.parity.examplesPerLabel", 8);
  private static final int EVALUATED = Integer.getInteger("onnx.parity.messages", 60);
  private static final Path SAMPLE = Path.of("..", "samples", "sms-spam");

  @TempDir static Path dir;

  private static ImportedBert bert;
  private static byte[] onnxBytes;
  private static byte[] dequantisedBytes; // the same graph in fp32, for ONNX Runtime
  private static JobSpec job;
  private static List<String> texts; // examples, descriptions, then evaluated messages
  private static List<String> gold; // labels of the evaluated messages
  private static float[][] backend; // the local backend: ONNX Runtime on the int8 graph
  private static float[][] ortFp32; // ONNX Runtime on the dequantised fp32 graph
  private static float[][] engineFp32;
  private static float[][] engineFp8;
  private static final Map<String, String> seconds = new LinkedHashMap<>();
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  private static long cpuAtLastMark;

  @BeforeAll
  static void embedEverything() throws Exception {
    Path onnx = dir.resolve("e5-small-v2-q.onnx");
    try (InputStream in = OnnxBertImporterTest.class.getClassLoader().getResourceAsStream(EncoderModelSpec.E5_SMALL_V2_Q.onnxResource())) {
      assertThat(in).as("the bundled model on the test classpath").isNotNull();
      onnxBytes = in.readAllBytes();
    }
    Files.write(onnx, onnxBytes);
    long t = mark();
    bert = OnnxBertImporter.read(onnx);
    seconds.put("import", elapsed(t));

    chooseTexts();
    List<List<long[]>> windows = new ArrayList<>();
    try (EncoderModel model = EncoderModel.load(EncoderModelSpec.E5_SMALL_V2_Q)) {
      t = mark();
      backend = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        backend[i] = model.embed(texts.get(i)).vector();
        windows.add(model.windows(texts.get(i)));
      }
      seconds.put("onnx runtime int8 (backend)", elapsed(t));
    }

    t = mark();
    dequantisedBytes = OnnxDequantizer.dequantize(ByteBuffer.wrap(onnxBytes));
    seconds.put("dequantise graph", elapsed(t));
    t = mark();
    ortFp32 = ortEmbed(dequantisedBytes, windows);
    seconds.put("onnx runtime fp32 (session + runs)", elapsed(t));

    Path fp32 = dir.resolve("fp32");
    Path fp8 = dir.resolve("fp8");
    bert.writeCheckpoint(fp32);
    CheckpointConverter.convert(fp32, fp8);
    try (Checkpoint c = Checkpoint.open(fp32)) {
      assertThat(bertConfig(c.config())).isEqualTo(bert.config());
      t = mark();
      engineFp32 = engineEmbed(new BertEncoder(bert.config(), c), windows);
      seconds.put("engine fp32", elapsed(t));
    }
    try (Checkpoint c = Checkpoint.open(fp8)) {
      assertThat(c.dtype("encoder.layer.0.attention.self.query.weight")).isEqualTo(Dtype.F8_E4M3);
      t = mark();
      engineFp8 = engineEmbed(new BertEncoder(bert.config(), c), windows);
      seconds.put("engine fp8", elapsed(t));
    }
    int tokens = windows.stream().flatMap(List::stream).mapToInt(w -> w.length).sum();
    System.out.printf("%d texts, %d tokens; time: %s%n", texts.size(), tokens, seconds);
  }

  @AfterAll
  static void release() {
    bert = null; // 60 MB of fp32 weights; the rest of the suite runs in the same JVM
    onnxBytes = null;
    dequantisedBytes = null;
  }

  @Test
  void configIsReadOffTheGraph() {
    bert.notes().forEach(n -> System.out.println("import: " + n));
    // intfloat/e5-small-v2's config.json: 12 layers of 384 with 12 heads, BERT's uncased vocabulary.
    assertThat(bert.config()).isEqualTo(new BertConfig(384, 1536, 12, 12, 30522, 512, 2, 1e-12f, 0));
    assertThat(bert.tensors()).hasSize(3 + 2 + 12 * 16); // embedding tables, their LayerNorm, 16 per layer
    assertThat(bert.shape("encoder.layer.11.intermediate.dense.weight")).containsExactly(1536, 384);
  }

  @Test
  void theDequantisedGraphImportsToTheSameWeightsBitForBit() throws Exception {
    // The fp32 graph written for ONNX Runtime goes through the importer's other paths (MatMul with
    // a float weight, Gather of a float table) and must give exactly the same tensors.
    Path fp32Onnx = dir.resolve("e5-small-v2-dequantised.onnx");
    Files.write(fp32Onnx, dequantisedBytes);
    ImportedBert again = OnnxBertImporter.read(fp32Onnx);
    assertThat(again.config()).isEqualTo(bert.config());
    assertThat(again.tensors().keySet()).isEqualTo(bert.tensors().keySet());
    for (String name : bert.tensors().keySet()) {
      assertThat(again.floats(name)).as(name).isEqualTo(bert.floats(name));
      assertThat(again.shape(name)).as(name).isEqualTo(bert.shape(name));
    }
  }

  @Test
  void engineMatchesOnnxRuntimeOnTheSameWeights() {
    double[] fp32 = cosines(engineFp32, ortFp32);
    double[] fp8 = cosines(engineFp8, ortFp32);
    report("engine fp32 vs onnx runtime fp32", fp32);
    report("engine fp8  vs onnx runtime fp32", fp8);
    assertThat(min(fp32)).isGreaterThanOrEqualTo(0.999);
    assertThat(min(fp8)).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void engineIsAsCloseToTheLocalBackendAsOnnxRuntimeInFp32() {
    double[] noise = cosines(ortFp32, backend); // the backend's own activation quantisation
    double[] fp32 = cosines(engineFp32, backend);
    double[] fp8 = cosines(engineFp8, backend);
    report("onnx runtime fp32 vs local backend (int8)", noise);
    report("engine fp32       vs local backend (int8)", fp32);
    report("engine fp8        vs local backend (int8)", fp8);
    for (int i = 0; i < texts.size(); i++) {
      // fp32 engine and fp32 ONNX Runtime agree to ~1e-6, so they sit at the same distance.
      assertThat(fp32[i]).as("text %d", i).isGreaterThanOrEqualTo(noise[i] - 1e-4);
    }
    assertThat(min(fp32)).isGreaterThanOrEqualTo(0.99);
    assertThat(min(fp8)).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void fewShotAccuracyOnTheSmsSampleMatchesTheLocalBackend() {
    double ort = accuracy(backend, "local backend (onnx runtime int8)");
    double fp32 = accuracy(engineFp32, "engine fp32");
    double fp8 = accuracy(engineFp8, "engine fp8");
    accuracy(ortFp32, "onnx runtime fp32");
    // 0.01, or one message where that is more (1/60 = 0.017): one prediction may flip.
    double margin = Math.max(0.01, 1.0 / EVALUATED) + 1e-9;
    assertThat(fp32).isCloseTo(ort, within(margin));
    assertThat(fp8).isCloseTo(ort, within(margin));
    assertThat(ort).isGreaterThan(0.8);
  }

  @Test
  void aGraphThatIsNotABertFailsNamingTheFile() throws Exception {
    Path file = dir.resolve("not-bert.onnx");
    Files.write(file, new ProtoWriter()
        .message(7, new ProtoWriter().message(1, ProtoWriter.node("relu", "Relu", new String[] {"x"}, new String[] {"y"})))
        .toByteArray());
    assertThatThrownBy(() -> OnnxBertImporter.read(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining("no MatMul or MatMulInteger with a weight");
  }

  /** Fits the local backend's classifier on these vectors as LocalBackend.fit does and scores the evaluated messages. */
  private static double accuracy(float[][] vectors, String what) {
    List<String> labels = job.labelNames();
    List<FewShotTrainer.LabelledVector> examples = new ArrayList<>();
    List<Example> chosen = chosenExamples();
    for (int i = 0; i < chosen.size(); i++) {
      examples.add(new FewShotTrainer.LabelledVector(vectors[i], labels.indexOf(chosen.get(i).label())));
    }
    List<float[]> descriptions = new ArrayList<>();
    for (int l = 0; l < labels.size(); l++) {
      descriptions.add(vectors[chosen.size() + l]);
    }
    int first = chosen.size() + labels.size();
    List<float[]> evaluated = Arrays.asList(vectors).subList(first, first + EVALUATED);
    FewShotClassifier classifier = FewShotTrainer.fit(labels, examples, descriptions, evaluated);
    int right = 0;
    for (int i = 0; i < EVALUATED; i++) {
      if (classifier.predict(evaluated.get(i)).label().equals(gold.get(i))) {
        right++;
      }
    }
    double accuracy = (double) right / EVALUATED;
    System.out.printf("few-shot accuracy, %s: %d/%d = %.4f%n", what, right, EVALUATED, accuracy);
    return accuracy;
  }

  private static void chooseTexts() throws Exception {
    job = JobSpecLoader.load(SAMPLE.resolve("sms-spam.yaml"));
    texts = new ArrayList<>();
    chosenExamples().forEach(e -> texts.add(e.text()));
    for (LabelSpec label : job.labels()) {
      // LocalBackend.describe: the text a label's description prototype is embedded from
      texts.add(label.description().isEmpty() ? label.name() : label.name() + ": " + label.description());
    }
    Set<String> examples = new HashSet<>();
    job.examples().forEach(e -> examples.add(e.text()));
    Map<String, String> records = new LinkedHashMap<>(); // distinct text -> label
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(SAMPLE.resolve("sms-spam.jsonl"))) {
      JsonNode r = json.readTree(line);
      String text = r.get("text").asText();
      if (!examples.contains(text)) {
        records.putIfAbsent(text, r.get("label").asText());
      }
    }
    List<String> candidates = new ArrayList<>(records.keySet());
    Collections.shuffle(candidates, new Random(2026));
    gold = new ArrayList<>();
    for (String text : candidates.subList(0, EVALUATED)) {
      texts.add(text);
      gold.add(records.get(text));
    }
  }

  /** The first examples of each label, in the job's order. */
  private static List<Example> chosenExamples() {
    Map<String, Integer> taken = new HashMap<>();
    List<Example> out = new ArrayList<>();
    for (Example e : job.examples()) {
      if (taken.merge(e.label(), 1, Integer::sum) <= EXAMPLES_PER_LABEL) {
        out.add(e);
      }
    }
    return out;
  }

  /** All windows of all texts in one varlen batch; a text's vector is its windows' length-weighted mean, as EncoderModel.embed does. */
  private static float[][] engineEmbed(BertEncoder encoder, List<List<long[]>> windows) {
    List<int[]> all = new ArrayList<>();
    for (List<long[]> text : windows) {
      for (long[] w : text) {
        all.add(Arrays.stream(w).mapToInt(Math::toIntExact).toArray());
      }
    }
    int d = encoder.config().hidden();
    float[] pooled = encoder.embed(all.toArray(new int[0][])); // (windows, hidden), unit rows
    float[][] out = new float[windows.size()][];
    int row = 0;
    for (int i = 0; i < windows.size(); i++) {
      float[][] parts = new float[windows.get(i).size()][];
      int[] lengths = new int[parts.length];
      for (int w = 0; w < parts.length; w++, row++) {
        parts[w] = Arrays.copyOfRange(pooled, row * d, (row + 1) * d);
        lengths[w] = windows.get(i).get(w).length;
      }
      out[i] = weightedMean(parts, lengths);
    }
    return out;
  }

  /** ONNX Runtime on a graph, one window per run, pooled as EncoderModel does. */
  private static float[][] ortEmbed(byte[] graph, List<List<long[]>> windows) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(2);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(graph, options)) {
        float[][] out = new float[windows.size()][];
        for (int i = 0; i < windows.size(); i++) {
          float[][] parts = new float[windows.get(i).size()][];
          int[] lengths = new int[parts.length];
          for (int w = 0; w < parts.length; w++) {
            long[] ids = windows.get(i).get(w);
            lengths[w] = ids.length;
            long[] ones = new long[ids.length];
            Arrays.fill(ones, 1);
            long[] shape = {1, ids.length};
            try (OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
                OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
                OrtSession.Result result = session.run(Map.of("input_ids", inputIds, "attention_mask", mask, "token_type_ids", types))) {
              FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer(); // (1, length, hidden)
              int dim = hidden.remaining() / ids.length;
              double[] mean = new double[dim];
              for (int t = 0; t < ids.length; t++) {
                for (int k = 0; k < dim; k++) {
                  mean[k] += hidden.get(t * dim + k);
                }
              }
              float[] v = new float[dim];
              for (int k = 0; k < dim; k++) {
                v[k] = (float) (mean[k] / ids.length);
              }
              parts[w] = normalise(v);
            }
          }
          out[i] = weightedMean(parts, lengths);
        }
        return out;
      }
    }
  }

  private static float[] weightedMean(float[][] parts, int[] weights) {
    float[] sum = new float[parts[0].length];
    for (int w = 0; w < parts.length; w++) {
      for (int k = 0; k < sum.length; k++) {
        sum[k] += parts[w][k] * weights[w];
      }
    }
    return normalise(sum);
  }

  private static float[] normalise(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float[] out = new float[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = (float) (v[k] / Math.sqrt(norm));
    }
    return out;
  }

  private static double[] cosines(float[][] a, float[][] b) {
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int k = 0; k < a[i].length; k++) {
        dot += (double) a[i][k] * b[i][k];
        na += (double) a[i][k] * a[i][k];
        nb += (double) b[i][k] * b[i][k];
      }
      c[i] = dot / Math.sqrt(na * nb);
    }
    return c;
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElseThrow();
  }

  private static void report(String what, double[] cosines) {
    System.out.printf("cosine, %s: min %.6f, mean %.6f (largest 1 - cosine %.1e) over %d texts%n",
        what, min(cosines), Arrays.stream(cosines).average().orElseThrow(), 1 - min(cosines), cosines.length);
  }

  private static BertConfig bertConfig(ModelConfig c) {
    return new BertConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.vocabSize(),
        c.maxPositionEmbeddings(), c.typeVocabSize(), (float) c.layerNormEps(), 0);
  }

  private static String elapsed(long start) {
    double cpu = (CPU.getProcessCpuTime() - cpuAtLastMark) / 1e9;
    cpuAtLastMark = CPU.getProcessCpuTime();
    return String.format("%.1f s (cpu %.1f s)", (System.nanoTime() - start) / 1e9, cpu);
  }

  /** Call before a timed phase: elapsed() reports the process CPU time since. */
  private static long mark() {
    cpuAtLastMark = CPU.getProcessCpuTime();
    return System.nanoTime();
  }
}
