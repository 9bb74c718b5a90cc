package dev.flashline.engine.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a graph quantised by ONNX Runtime's {@code quantize_dynamic} into the fp32 graph it
 * came from, with the weights dequantised: ONNX Runtime then runs the same weights as the engine
 * but without quantising activations at run time, which is the comparison that isolates the
 * engine's own error. Written independently of {@link OnnxBertImporter} (it follows the
 * quantiser's node pattern, not bias names), so the two check each other.
 *
 * <ul>
 *   <li>{@code DynamicQuantizeLinear(x)}, {@code MatMulInteger(x_q, W_q, x_zp, W_zp)}, its Cast and
 *       its Mul by {@code x_scale * W_scale} become {@code MatMul(x, W)}, W = (W_q - W_zp) * W_scale;
 *   <li>{@code DequantizeLinear(Gather(T_q, ids))} becomes {@code Gather(T, ids)}.
 * </ul>
 * Every other node, the model's metadata and opsets are copied byte for byte; value_info (shape
 * annotations of intermediate values, some of which no longer exist) is dropped.
 */
final class OnnxDequantizer {
  private final OnnxModelFile model;
  private final ByteBuffer file;
  private final Set<OnnxNode> dropped = new HashSet<>();
  private final Map<OnnxNode, ProtoWriter> replaced = new HashMap<>();
  private final Set<String> droppedInitializers = new HashSet<>();
  private final Map<String, OnnxTensorProto> added = new LinkedHashMap<>();

  private OnnxDequantizer(OnnxModelFile model, ByteBuffer file) {
    this.model = model;
    this.file = file;
  }

  /** The fp32 model's bytes. */
  static byte[] dequantize(ByteBuffer file) {
    OnnxModelFile model = OnnxModelFile.parse("quantised model", file);
    OnnxDequantizer d = new OnnxDequantizer(model, file);
    d.plan();
    return d.write();
  }

  private void plan() {
    for (OnnxNode n : model.nodes()) {
      if (n.opType().equals("MatMulInteger")) {
        planMatMul(n);
      } else if (n.opType().equals("DequantizeLinear")) {
        planGather(n);
      }
    }
    for (OnnxNode n : model.nodes()) {
      if (n.opType().equals("DynamicQuantizeLinear")) {
        for (String out : n.outputs()) {
          for (OnnxNode c : model.consumers(out)) {
            if (!dropped.contains(c) && !replaced.containsKey(c)) {
              throw new IllegalStateException(n.describe() + " feeds " + c.describe() + ", which is not rewritten");
            }
          }
        }
        dropped.add(n);
      }
    }
  }

  private void planMatMul(OnnxNode m) {
    OnnxNode dql = model.producer(m.input(0));
    require(dql != null && dql.opType().equals("DynamicQuantizeLinear"), m, "A is not from DynamicQuantizeLinear");
    OnnxNode cast = single(model.consumers(m.output(0)), "Cast", m);
    OnnxNode mul = single(model.consumers(cast.output(0)), "Mul", m);
    String scalesValue = mul.input(0).equals(cast.output(0)) ? mul.input(1) : mul.input(0);
    OnnxNode scales = model.producer(scalesValue);
    require(scales != null && scales.opType().equals("Mul") && model.consumers(scalesValue).size() == 1, m, "no x_scale * W_scale Mul");
    require(scales.input(0).equals(dql.output(1)), m, "the scales Mul does not start from x_scale");
    String weightScale = scales.input(1);
    OnnxTensorProto q = model.initializer(m.input(1));
    float[] w = OnnxBertImporter.dequantize(q, model.initializer(weightScale), model.initializer(m.input(3)), 1);
    String fp32 = unquantisedName(q.name());
    added.put(fp32, floats(fp32, q.shape(), w));
    droppedInitializers.addAll(List.of(q.name(), weightScale, m.input(3)));
    replaced.put(m, ProtoWriter.node(m.name(), "MatMul", new String[] {dql.input(0), fp32}, new String[] {mul.output(0)}));
    dropped.addAll(List.of(cast, mul, scales));
  }

  private void planGather(OnnxNode dq) {
    OnnxNode gather = model.producer(dq.input(0));
    require(gather != null && gather.opType().equals("Gather") && gather.attributes().isEmpty(), dq, "input is not an attribute-free Gather");
    OnnxTensorProto table = model.initializer(gather.input(0));
    float[] values = OnnxBertImporter.dequantize(table, model.initializer(dq.input(1)), model.initializer(dq.input(2)), 1);
    String fp32 = unquantisedName(table.name());
    added.put(fp32, floats(fp32, table.shape(), values));
    droppedInitializers.addAll(List.of(table.name(), dq.input(1), dq.input(2)));
    replaced.put(gather, ProtoWriter.node(gather.name(), "Gather", new String[] {fp32, gather.input(1)}, new String[] {dq.output(0)}));
    dropped.add(dq);
  }

  /** The name the fp32 export gave the tensor: the quantiser appends "_quantized". */
  private String unquantisedName(String quantised) {
    String name = quantised.endsWith("_quantized") ? quantised.substring(0, quantised.length() - "_quantized".length()) : quantised + "_fp32";
    if (model.hasInitializer(name) || added.containsKey(name)) {
      throw new IllegalStateException("'" + name + "' already exists");
    }
    return name;
  }

  private static OnnxTensorProto floats(String name, int[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new OnnxTensorProto(name, OnnxDataType.FLOAT, shape, b);
  }

  private byte[] write() {
    ProtoWriter out = new ProtoWriter();
    ProtoReader m = new ProtoReader(file);
    while (m.hasMore()) {
      long start = m.offset();
      m.next();
      if (m.field() == 7) {
        out.message(7, graph(m.message()));
      } else {
        m.skip();
        out.raw(slice(start, m.offset()));
      }
    }
    return out.toByteArray();
  }

  private ProtoWriter graph(ProtoReader g) {
    ProtoWriter out = new ProtoWriter();
    int node = 0;
    while (g.hasMore()) {
      long start = g.offset();
      g.next();
      switch (g.field()) {
        case 1 -> {
          g.message();
          OnnxNode n = model.nodes().get(node++);
          if (replaced.containsKey(n)) {
            out.message(1, replaced.get(n));
          } else if (!dropped.contains(n)) {
            out.raw(slice(start, g.offset()));
          }
        }
        case 5 -> {
          OnnxTensorProto t = OnnxModelFile.readTensor(g.message());
          if (!droppedInitializers.contains(t.name())) {
            out.raw(slice(start, g.offset()));
          }
        }
        case 13 -> g.skip(); // value_info
        default -> {
          g.skip();
          out.raw(slice(start, g.offset()));
        }
      }
    }
    for (OnnxTensorProto t : added.values()) {
      ByteBuffer data = t.data();
      byte[] raw = new byte[data.remaining()];
      data.get(raw);
      out.message(5, ProtoWriter.tensor(t.name(), t.dataType(), t.shape(), raw));
    }
    return out;
  }

  private byte[] slice(long from, long to) {
    byte[] b = new byte[(int) (to - from)];
    file.duplicate().position((int) from).get(b);
    return b;
  }

  private static OnnxNode single(List<OnnxNode> nodes, String opType, OnnxNode from) {
    require(nodes.size() == 1 && nodes.get(0).opType().equals(opType), from, "expected one " + opType + " after it, found " + new ArrayList<>(nodes.stream().map(OnnxNode::describe).toList()));
    return nodes.get(0);
  }

  private static void require(boolean ok, OnnxNode n, String what) {
    if (!ok) {
      throw new IllegalStateException(n.describe() + ": " + what);
    }
  }
}
