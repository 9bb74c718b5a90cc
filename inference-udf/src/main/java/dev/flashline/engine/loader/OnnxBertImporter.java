package dev.flashline.engine.loader;

import dev.flashline.engine.models.BertConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the weights of a BERT encoder out of an ONNX graph as exported by {@code torch.onnx} (or
 * Hugging Face Optimum), fp32 or quantised by ONNX Runtime's {@code quantize_dynamic}, and names
 * them as the Hugging Face checkpoint does, so {@code BertEncoder} runs the same model.
 *
 * <p><b>Names.</b> The exporter keeps the parameter names of tensors it uses as they are
 * ({@code encoder.layer.0.attention.self.query.bias}, LayerNorm weights, embedding tables, with
 * {@code _quantized} appended to a quantised one), but the linear weights, which it transposes
 * for MatMul, become anonymous ({@code onnx::MatMul_1525}). Each is named by following the graph
 * from its MatMul to the Add that applies its bias: the weight of the bias {@code X.bias} is
 * {@code X.weight}.
 *
 * <p><b>Quantised weights</b> are dequantised exactly as DequantizeLinear defines it,
 * {@code (q - zero_point) * scale} in fp32:
 * <ul>
 *   <li>{@code MatMulInteger(x_q, W_q, x_zp, W_zp)}, then Cast, then {@code Mul} by
 *       {@code x_scale * W_scale}: W is int8 (in, out) with one scale and zero point per output
 *       column, found as the constant factor of that Mul;
 *   <li>{@code MatMul(x, DequantizeLinear(W_q, scale, zp))}: the same, with the scale and zero
 *       point as the DequantizeLinear's inputs;
 *   <li>embedding tables: {@code DequantizeLinear(Gather(table_q, ids), scale, zp)}.
 * </ul>
 * ONNX MatMul weights are (in, out); they are transposed to PyTorch's (out, in).
 *
 * <p><b>The config</b> is read off the graph: sizes from the tensor shapes; the number of heads
 * from the Reshape that splits layer 0's query into heads (its target shape ends in
 * {@code heads, head_dim}) or from a fused {@code Attention} node's {@code num_heads};
 * {@code layer_norm_eps} from the constant added to the variance under each LayerNorm's Sqrt (or
 * a LayerNormalization node's epsilon), which must agree across all of them; the activation must
 * be the exact (Erf) GELU, the only one {@code BertEncoder} computes.
 */
public final class OnnxBertImporter {
  private static final Pattern EMBEDDING = Pattern.compile("(bert\\.)?embeddings\\.(word|position|token_type)_embeddings\\.weight");
  private static final Pattern LAYER = Pattern.compile("^(?:bert\\.)?encoder\\.layer\\.(\\d+)\\.");
  private static final String QUANTIZED_SUFFIX = "_quantized";

  private OnnxBertImporter() {}

  /** {@code OnnxBertImporter <model.onnx> <output dir>}: writes config.json and an fp32 model.safetensors. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: OnnxBertImporter <model.onnx> <output checkpoint dir>");
      System.exit(2);
    }
    ImportedBert bert = read(Path.of(args[0]));
    bert.notes().forEach(System.out::println);
    bert.writeCheckpoint(Path.of(args[1]));
  }

  public static ImportedBert read(Path onnx) {
    return read(OnnxModelFile.read(onnx));
  }

  public static ImportedBert read(OnnxModelFile model) {
    return new Import(model).run();
  }

  /**
   * DequantizeLinear: {@code (q - zeroPoint) * scale} in fp32, element by element, with the scale
   * and zero point either scalars or one per index along {@code axis}.
   *
   * @param zeroPoint null for zero
   */
  public static float[] dequantize(OnnxTensorProto q, OnnxTensorProto scale, OnnxTensorProto zeroPoint, int axis) {
    int[] shape = q.shape();
    if (q.dataType() != OnnxDataType.UINT8 && q.dataType() != OnnxDataType.INT8) {
      throw new IllegalArgumentException("tensor '" + q.name() + "' is " + q.dataType() + "; only int8 and uint8 weights are dequantised");
    }
    int ax = axis < 0 ? axis + shape.length : axis;
    float[] s = scale.floats();
    long[] z = zeroPoint == null ? new long[] {0} : zeroPoint.longs();
    int channels = shape.length == 0 ? 1 : shape[Math.max(0, Math.min(ax, shape.length - 1))];
    if (s.length != 1 && (ax < 0 || ax >= shape.length || s.length != channels)) {
      throw new IllegalArgumentException("scale '" + scale.name() + "' has " + s.length + " values for tensor '" + q.name() + "' " + Arrays.toString(shape) + " along axis " + axis);
    }
    if (z.length != 1 && z.length != s.length) {
      throw new IllegalArgumentException("zero point '" + zeroPoint.name() + "' has " + z.length + " values, the scale " + s.length);
    }
    long inner = 1;
    for (int d = ax + 1; d < shape.length; d++) {
      inner *= shape[d];
    }
    int n = Math.toIntExact(q.elements());
    float[] out = new float[n];
    for (int e = 0; e < n; e++) {
      int c = s.length == 1 ? 0 : (int) ((e / inner) % channels);
      out[e] = (float) (q.byteAt(e) - z[z.length == 1 ? 0 : c]) * s[c];
    }
    return out;
  }

  /** (rows, cols) to (cols, rows). */
  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  /** One import: the graph, what has been found so far, and how. */
  private static final class Import {
    private final OnnxModelFile model;
    private final String source;
    private final Map<String, float[]> tensors = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, String> biasedOutputs = new LinkedHashMap<>(); // linear weight -> value after its bias
    private final List<String> notes = new ArrayList<>();

    Import(OnnxModelFile model) {
      this.model = model;
      this.source = model.source();
    }

    ImportedBert run() {
      try {
        embeddings();
        linears();
        namedParameters();
        BertConfig config = config();
        return new ImportedBert(source, config, tensors, shapes, notes);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new CheckpointException(source + ": " + e.getMessage(), e);
      }
    }

    private CheckpointException fail(String message) {
      return new CheckpointException(source + ": " + message);
    }

    private void put(String name, float[] values, int... shape) {
      if (tensors.put(name, values) != null) {
        throw fail("two tensors map to '" + name + "'");
      }
      shapes.put(name, shape);
    }

    /** Gather nodes reading a constant 2-D table, dequantised when a DequantizeLinear follows. */
    private void embeddings() {
      int quantised = 0;
      for (OnnxNode n : model.nodes()) {
        if (!n.opType().equals("Gather") || !n.domain().isEmpty()) {
          continue;
        }
        OnnxTensorProto table = model.constant(n.input(0));
        boolean eightBit = table != null && (table.dataType() == OnnxDataType.UINT8 || table.dataType() == OnnxDataType.INT8);
        if (table == null || table.shape().length != 2 || !(table.dataType().isFloating() || eightBit)) {
          continue; // shape arithmetic or position ids, not an embedding table
        }
        String name;
        float[] values;
        if (table.dataType().isFloating()) {
          name = table.name();
          values = table.floats();
        } else {
          OnnxNode dq = only(model.consumers(n.output(0)), "DequantizeLinear");
          if (dq == null) {
            throw fail("the quantised table '" + table.name() + "' is gathered by " + n.describe() + " but not dequantised by a DequantizeLinear");
          }
          name = table.name().endsWith(QUANTIZED_SUFFIX) ? table.name().substring(0, table.name().length() - QUANTIZED_SUFFIX.length()) : table.name();
          values = dequantize(table, requireConstant(dq.input(1), dq), optionalConstant(dq.input(2), dq), (int) intAttribute(dq, "axis", 1));
          quantised++;
        }
        if (!EMBEDDING.matcher(name).matches()) {
          throw fail("Gather " + n.describe() + " reads table '" + table.name() + "', which is not a BERT embedding table");
        }
        put(name, values, table.shape());
      }
      notes.add(tensors.size() + " embedding tables from Gather nodes" + (quantised > 0 ? ", " + quantised + " of them " + "dequantised from 8-bit (Gather + DequantizeLinear)" : ""));
    }

    /** Every MatMul whose right operand is a weight, and every MatMulInteger. */
    private void linears() {
      int fp32 = 0;
      int dequantised = 0;
      for (OnnxNode n : model.nodes()) {
        if (!n.domain().isEmpty()) {
          continue;
        }
        float[] weight; // (in, out)
        int[] shape;
        String value; // the float product x W
        String weightName;
        if (n.opType().equals("MatMul")) {
          OnnxTensorProto w = model.constant(n.input(1));
          OnnxNode dq = model.producer(n.input(1));
          if (w != null && w.dataType().isFloating() && w.shape().length == 2) {
            weight = w.floats();
            shape = w.shape();
            weightName = w.name();
            fp32++;
          } else if (w == null && dq != null && dq.opType().equals("DequantizeLinear") && model.constant(dq.input(0)) != null) {
            OnnxTensorProto q = model.constant(dq.input(0));
            weight = dequantize(q, requireConstant(dq.input(1), dq), optionalConstant(dq.input(2), dq), (int) intAttribute(dq, "axis", 1));
            shape = q.shape();
            weightName = q.name();
            dequantised++;
          } else {
            continue; // activations times activations: attention scores and context
          }
          value = n.output(0);
        } else if (n.opType().equals("MatMulInteger")) {
          OnnxTensorProto q = requireConstant(n.input(1), n);
          if (q.shape().length != 2) {
            throw fail(n.describe() + ": weight '" + q.name() + "' has shape " + Arrays.toString(q.shape()) + ", expected (in, out)");
          }
          // x_q W_q (int32) -> Cast -> Mul by x_scale * W_scale: walk the chain to find W_scale.
          value = n.output(0);
          OnnxTensorProto scale = null;
          while (true) {
            List<OnnxNode> next = model.consumers(value);
            if (next.size() != 1) {
              break;
            }
            OnnxNode c = next.get(0);
            if (c.opType().equals("Cast")) {
              value = c.output(0);
            } else if (c.opType().equals("Mul") && scale == null) {
              String other = c.input(0).equals(value) ? c.input(1) : c.input(0);
              scale = weightScale(other, n);
              value = c.output(0);
            } else {
              break;
            }
          }
          if (scale == null) {
            throw fail(n.describe() + ": no Mul by the weight's scale follows it, so weight '" + q.name() + "' cannot be dequantised");
          }
          weight = dequantize(q, scale, optionalConstant(n.input(3), n), 1);
          shape = q.shape();
          weightName = q.name();
          dequantised++;
        } else {
          continue;
        }
        String name = nameByBias(n, value, weightName, shape[1]);
        put(name, transpose(weight, shape[0], shape[1]), shape[1], shape[0]);
      }
      if (fp32 + dequantised == 0) {
        throw fail("no MatMul or MatMulInteger with a weight; not an encoder graph this importer knows");
      }
      notes.add((fp32 + dequantised) + " linear weights named by the bias Add their MatMul feeds, transposed from ONNX (in, out) to (out, in)"
          + (dequantised > 0 ? "; " + dequantised + " dequantised from int8 with per-output-column scales and zero points" : ""));
    }

    /** The constant factor W_scale in {@code x_scale * W_scale}, or W_scale itself. */
    private OnnxTensorProto weightScale(String value, OnnxNode matMul) {
      OnnxTensorProto direct = model.constant(value);
      if (direct != null) {
        return direct;
      }
      OnnxNode p = model.producer(value);
      if (p != null && p.opType().equals("Mul")) {
        for (String in : p.inputs()) {
          OnnxTensorProto c = model.constant(in);
          if (c != null && c.dataType().isFloating()) {
            return c;
          }
        }
      }
      throw fail(matMul.describe() + ": the Mul after it multiplies by '" + value + "', which is not a weight scale (constant, or constant times the input's scale)");
    }

    /** The Add after the product applies bias X.bias, so the weight is X.weight. */
    private String nameByBias(OnnxNode matMul, String product, String weightName, int out) {
      for (OnnxNode add : model.consumers(product)) {
        if (!add.opType().equals("Add")) {
          continue;
        }
        String other = add.input(0).equals(product) ? add.input(1) : add.input(0);
        OnnxTensorProto bias = model.constant(other);
        if (bias != null && bias.dataType().isFloating() && bias.shape().length == 1 && bias.shape()[0] == out
            && bias.name().endsWith(".bias")) {
          String name = bias.name().substring(0, bias.name().length() - ".bias".length()) + ".weight";
          biasedOutputs.put(name, add.output(0));
          return name;
        }
      }
      throw fail(matMul.describe() + ": its product feeds no Add of a named bias (X.bias of length " + out + "), so weight '" + weightName + "' cannot be named");
    }

    /** LayerNorm weights and biases, linear biases: initializers the exporter kept under their own names. */
    private void namedParameters() {
      for (OnnxTensorProto t : model.initializers().values()) {
        String name = t.name();
        if (t.dataType().isFloating() && !name.startsWith("onnx::") && (name.endsWith(".weight") || name.endsWith(".bias")) && !tensors.containsKey(name)) {
          put(name, t.floats(), t.shape());
        }
      }
    }

    private BertConfig config() {
      String p = tensors.containsKey("bert.embeddings.word_embeddings.weight") ? "bert." : "";
      int[] words = matrixShape(p + "embeddings.word_embeddings.weight");
      int hidden = words[1];
      int vocab = words[0];
      int maxPositions = matrixShape(p + "embeddings.position_embeddings.weight")[0];
      int typeVocab = matrixShape(p + "embeddings.token_type_embeddings.weight")[0];
      int layers = 0;
      for (String name : tensors.keySet()) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
          layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
      }
      if (layers == 0) {
        throw fail("no encoder.layer.N tensors");
      }
      int intermediate = matrixShape(p + "encoder.layer.0.intermediate.dense.weight")[0];
      for (int i = 0; i < layers; i++) {
        String l = p + "encoder.layer." + i + ".";
        for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
          requireShape(l + m + ".weight", hidden, hidden);
          requireShape(l + m + ".bias", hidden);
        }
        requireShape(l + "intermediate.dense.weight", intermediate, hidden);
        requireShape(l + "intermediate.dense.bias", intermediate);
        requireShape(l + "output.dense.weight", hidden, intermediate);
        requireShape(l + "output.dense.bias", hidden);
        for (String norm : List.of("attention.output.LayerNorm.", "output.LayerNorm.")) {
          requireShape(l + norm + "weight", hidden);
          requireShape(l + norm + "bias", hidden);
        }
      }
      requireShape(p + "embeddings.LayerNorm.weight", hidden);
      requireShape(p + "embeddings.LayerNorm.bias", hidden);
      requireShape(p + "embeddings.position_embeddings.weight", maxPositions, hidden);
      requireShape(p + "embeddings.token_type_embeddings.weight", typeVocab, hidden);
      notes.add("hidden " + hidden + ", vocab " + vocab + ", max positions " + maxPositions + ", token types " + typeVocab
          + " from the embedding tables; " + layers + " layers, intermediate " + intermediate + " from the layer tensors");
      int heads = heads(p, hidden);
      float eps = layerNormEps(layers);
      activation();
      return new BertConfig(hidden, intermediate, layers, heads, vocab, maxPositions, typeVocab, eps, 0);
    }

    private int heads(String p, int hidden) {
      for (OnnxNode n : model.nodes()) {
        if (n.opType().equals("Attention") && n.attribute("num_heads") != null) {
          int heads = (int) n.attribute("num_heads").i();
          notes.add(heads + " heads from the num_heads of fused Attention " + n.describe());
          return heads;
        }
      }
      String query = biasedOutputs.get(p + "encoder.layer.0.attention.self.query.weight");
      for (OnnxNode r : model.consumers(query)) {
        if (!r.opType().equals("Reshape")) {
          continue;
        }
        long[] target = shapeValues(r.input(1));
        if (target == null || target.length != 4) {
          continue;
        }
        long h = target[2];
        long d = target[3];
        int heads = 0;
        if (h > 0 && d > 0 && h * d == hidden) {
          heads = (int) h;
        } else if (h > 0 && d == -1 && hidden % h == 0) {
          heads = (int) h;
        } else if (h == -1 && d > 0 && hidden % d == 0) {
          heads = (int) (hidden / d);
        }
        if (heads > 0) {
          notes.add(heads + " heads from Reshape " + r.describe() + " of layer 0's query to (batch, seq, " + h + ", " + d + ")");
          return heads;
        }
      }
      throw fail("cannot tell the number of attention heads: no fused Attention node, and layer 0's query is not reshaped to (batch, seq, heads, head_dim) by a shape known without running the graph");
    }

    /** A Reshape target: a constant, or a Concat of pieces some of which are constant (unknown pieces read as MIN_VALUE). */
    private long[] shapeValues(String value) {
      OnnxTensorProto c = model.constant(value);
      if (c != null) {
        return c.dataType().isInteger() ? c.longs() : null;
      }
      OnnxNode concat = model.producer(value);
      if (concat == null || !concat.opType().equals("Concat")) {
        return null;
      }
      List<Long> out = new ArrayList<>();
      for (String in : concat.inputs()) {
        OnnxTensorProto piece = model.constant(in);
        if (piece != null && piece.dataType().isInteger()) {
          for (long v : piece.longs()) {
            out.add(v);
          }
        } else {
          out.add(Long.MIN_VALUE); // a dimension computed at run time (batch, sequence length)
        }
      }
      return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The epsilon every LayerNorm adds to the variance; they must agree. */
    private float layerNormEps(int layers) {
      TreeSet<Float> found = new TreeSet<>();
      int norms = 0;
      for (OnnxNode n : model.nodes()) {
        if (n.opType().equals("LayerNormalization")) {
          OnnxAttribute e = n.attribute("epsilon");
          found.add(e == null ? 1e-5f : e.f());
          norms++;
        } else if (n.opType().equals("Sqrt")) {
          // LayerNorm as exported op by op: Sqrt(Add(ReduceMean(Pow(x - mean, 2)), eps))
          OnnxNode add = model.producer(n.input(0));
          if (add == null || !add.opType().equals("Add")) {
            continue;
          }
          for (int side = 0; side < 2; side++) {
            OnnxTensorProto c = model.constant(add.input(side));
            OnnxNode mean = model.producer(add.input(1 - side));
            if (c != null && c.dataType().isFloating() && c.elements() == 1 && mean != null && mean.opType().equals("ReduceMean")) {
              found.add(c.floats()[0]);
              norms++;
            }
          }
        }
      }
      if (found.isEmpty()) {
        throw fail("cannot find the LayerNorm epsilon (no LayerNormalization node, no Sqrt(ReduceMean(...) + eps))");
      }
      if (found.size() > 1) {
        throw fail("the LayerNorms use different epsilons " + found + "; BertEncoder uses one");
      }
      if (norms != 2 * layers + 1) {
        throw fail("found " + norms + " LayerNorms, a BERT of " + layers + " layers has " + (2 * layers + 1));
      }
      float eps = found.first();
      notes.add("layer_norm_eps " + eps + ", the same in all " + norms + " LayerNorms");
      return eps;
    }

    private void activation() {
      boolean erf = false;
      for (OnnxNode n : model.nodes()) {
        switch (n.opType()) {
          case "Erf", "BiasGelu" -> erf = true; // BiasGelu: ONNX Runtime's fused bias + exact GELU
          case "Gelu" -> {
            OnnxAttribute approximate = n.attribute("approximate");
            if (approximate != null && approximate.s().equals("tanh")) {
              throw fail("the activation is the tanh approximation of GELU (" + n.describe() + "); BertEncoder computes the exact GELU");
            }
            erf = true;
          }
          case "FastGelu" -> throw fail("the activation is the tanh approximation of GELU (" + n.describe() + "); BertEncoder computes the exact GELU");
          default -> {
            // not an activation
          }
        }
      }
      if (!erf) {
        throw fail("no exact GELU (Erf or Gelu) in the graph; BertEncoder computes the exact GELU");
      }
      notes.add("activation: exact GELU (Erf)");
    }

    /** The shape of a tensor the config is read from, which must be a matrix. */
    private int[] matrixShape(String name) {
      int[] shape = shapes.get(name);
      if (shape == null) {
        throw fail("no tensor '" + name + "' found in the graph");
      }
      if (shape.length != 2) {
        throw fail("tensor '" + name + "' has shape " + Arrays.toString(shape) + ", expected a matrix");
      }
      return shape;
    }

    private void requireShape(String name, int... expected) {
      int[] shape = shapes.get(name);
      if (shape == null) {
        throw fail("no tensor '" + name + "' found in the graph");
      }
      if (!Arrays.equals(shape, expected)) {
        throw fail("tensor '" + name + "' has shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
      }
    }

    private OnnxTensorProto requireConstant(String value, OnnxNode node) {
      OnnxTensorProto t = model.constant(value);
      if (t == null) {
        throw fail(node.describe() + ": input '" + value + "' is not a constant");
      }
      return t;
    }

    private OnnxTensorProto optionalConstant(String value, OnnxNode node) {
      return value.isEmpty() ? null : requireConstant(value, node);
    }

    private static long intAttribute(OnnxNode n, String name, long otherwise) {
      OnnxAttribute a = n.attribute(name);
      return a == null ? otherwise : a.i();
    }

    private static OnnxNode only(List<OnnxNode> nodes, String opType) {
      return nodes.size() == 1 && nodes.get(0).opType().equals(opType) ? nodes.get(0) : null;
    }
  }
}
