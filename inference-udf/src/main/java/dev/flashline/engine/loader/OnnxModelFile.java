package dev.flashline.engine.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model file ({@code ModelProto}) read straight from protobuf wire format: the graph's
 * nodes in order, its initializers, and the names of its inputs and outputs. Field numbers are
 * onnx.proto's (ModelProto.graph 7, GraphProto.node 1 / initializer 5 / input 11 / output 12, and
 * so on). Tensor data is not copied: initializers are views of the memory-mapped file.
 *
 * <p>Not supported, and reported by name when met: tensors stored outside the file
 * ({@code external_data}, which models over 2 GB use), segmented tensors and sparse
 * initializers. Any malformed input fails with a {@link CheckpointException} naming the file and,
 * where it is known, the tensor or node being read.
 */
public final class OnnxModelFile {
  // ModelProto
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_PRODUCER_NAME = 2;
  private static final int MODEL_PRODUCER_VERSION = 3;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  // OperatorSetIdProto
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int GRAPH_SPARSE_INITIALIZER = 15;
  // ValueInfoProto
  private static final int VALUE_INFO_NAME = 1;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  // AttributeProto
  private static final int ATTR_NAME = 1;
  private static final int ATTR_F = 2;
  private static final int ATTR_I = 3;
  private static final int ATTR_S = 4;
  private static final int ATTR_T = 5;
  private static final int ATTR_G = 6;
  private static final int ATTR_FLOATS = 7;
  private static final int ATTR_INTS = 8;
  private static final int ATTR_STRINGS = 9;
  private static final int ATTR_TYPE = 20;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_SEGMENT = 3;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_INT32_DATA = 5;
  private static final int TENSOR_STRING_DATA = 6;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_DOUBLE_DATA = 10;
  private static final int TENSOR_UINT64_DATA = 11;
  private static final int TENSOR_EXTERNAL_DATA = 13;
  private static final int TENSOR_DATA_LOCATION = 14;

  private final String source;
  private final long irVersion;
  private final String producer;
  private final Map<String, Long> opsets;
  private final List<OnnxNode> nodes;
  private final Map<String, OnnxTensorProto> initializers;
  private final List<String> inputs;
  private final List<String> outputs;
  private final Map<String, OnnxNode> producers = new LinkedHashMap<>(); // value -> the node writing it
  private final Map<String, List<OnnxNode>> consumers = new LinkedHashMap<>(); // value -> nodes reading it

  private OnnxModelFile(String source, long irVersion, String producer, Map<String, Long> opsets, List<OnnxNode> nodes,
      Map<String, OnnxTensorProto> initializers, List<String> inputs, List<String> outputs) {
    this.source = source;
    this.irVersion = irVersion;
    this.producer = producer;
    this.opsets = Collections.unmodifiableMap(opsets);
    this.nodes = List.copyOf(nodes);
    this.initializers = Collections.unmodifiableMap(initializers);
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    for (OnnxNode n : this.nodes) {
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          producers.put(out, n);
        }
      }
      for (String in : n.inputs()) {
        if (!in.isEmpty()) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
  }

  /** Reads an ONNX file, memory-mapped. */
  public static OnnxModelFile read(Path file) {
    ByteBuffer bytes;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new CheckpointException(file + ": " + size + " bytes; a protobuf ONNX file is at most 2 GiB (larger models keep their weights in external data, which is not supported)");
      }
      // The mapping stays valid after the channel is closed.
      bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.toString(), bytes);
  }

  /**
   * Parses an ONNX model held in memory.
   *
   * @param source how error messages name it (a path or a resource name)
   */
  public static OnnxModelFile parse(String source, ByteBuffer bytes) {
    ProtoReader model = new ProtoReader(bytes);
    long irVersion = 0;
    String producer = "";
    String producerVersion = "";
    Map<String, Long> opsets = new LinkedHashMap<>();
    ProtoReader graph = null;
    try {
      while (model.hasMore()) {
        model.next();
        switch (model.field()) {
          case MODEL_IR_VERSION -> {
            model.expect(ProtoReader.VARINT);
            irVersion = model.varint();
          }
          case MODEL_PRODUCER_NAME -> producer = typedString(model);
          case MODEL_PRODUCER_VERSION -> producerVersion = typedString(model);
          case MODEL_GRAPH -> {
            model.expect(ProtoReader.LEN);
            graph = model.message();
          }
          case MODEL_OPSET_IMPORT -> {
            model.expect(ProtoReader.LEN);
            ProtoReader opset = model.message();
            String domain = "";
            long version = 0;
            while (opset.hasMore()) {
              opset.next();
              if (opset.field() == OPSET_DOMAIN) {
                domain = typedString(opset);
              } else if (opset.field() == OPSET_VERSION) {
                opset.expect(ProtoReader.VARINT);
                version = opset.varint();
              } else {
                opset.skip();
              }
            }
            opsets.put(domain, version);
          }
          default -> model.skip();
        }
      }
    } catch (ProtoReader.MalformedException e) {
      throw new CheckpointException(source + ": not a valid ONNX model: " + e.getMessage(), e);
    }
    if (graph == null) {
      throw new CheckpointException(source + ": not an ONNX model: no graph (ModelProto field 7)");
    }
    String producedBy = producerVersion.isEmpty() ? producer : producer + " " + producerVersion;
    return readGraph(source, irVersion, producedBy, opsets, graph);
  }

  private static OnnxModelFile readGraph(String source, long irVersion, String producer, Map<String, Long> opsets, ProtoReader graph) {
    List<OnnxNode> nodes = new ArrayList<>();
    Map<String, OnnxTensorProto> initializers = new LinkedHashMap<>();
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String reading = "the graph";
    try {
      while (graph.hasMore()) {
        graph.next();
        switch (graph.field()) {
          case GRAPH_NODE -> {
            reading = "node #" + nodes.size();
            graph.expect(ProtoReader.LEN);
            nodes.add(readNode(graph.message()));
          }
          case GRAPH_INITIALIZER -> {
            reading = "initializer #" + initializers.size();
            graph.expect(ProtoReader.LEN);
            OnnxTensorProto t = readTensor(graph.message());
            if (t.name().isEmpty()) {
              throw new IllegalArgumentException("has no name");
            }
            if (initializers.put(t.name(), t) != null) {
              throw new IllegalArgumentException("'" + t.name() + "' appears twice");
            }
          }
          case GRAPH_INPUT, GRAPH_OUTPUT -> {
            reading = graph.field() == GRAPH_INPUT ? "graph input #" + inputs.size() : "graph output #" + outputs.size();
            graph.expect(ProtoReader.LEN);
            (graph.field() == GRAPH_INPUT ? inputs : outputs).add(valueInfoName(graph.message()));
          }
          case GRAPH_SPARSE_INITIALIZER -> throw new IllegalArgumentException("sparse initializers are not supported");
          default -> graph.skip();
        }
      }
    } catch (ProtoReader.MalformedException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      throw new CheckpointException(source + ": not a valid ONNX model: " + reading + ": " + e.getMessage(), e);
    }
    return new OnnxModelFile(source, irVersion, producer, opsets, nodes, initializers, inputs, outputs);
  }

  private static String valueInfoName(ProtoReader info) {
    String name = "";
    while (info.hasMore()) {
      info.next();
      if (info.field() == VALUE_INFO_NAME) {
        name = typedString(info);
      } else {
        info.skip();
      }
    }
    return name;
  }

  /** Reads one NodeProto; package-private so that tools rewriting a graph can read node by node. */
  static OnnxNode readNode(ProtoReader node) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String name = "";
    String opType = "";
    String domain = "";
    Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
    while (node.hasMore()) {
      node.next();
      switch (node.field()) {
        case NODE_INPUT -> inputs.add(typedString(node));
        case NODE_OUTPUT -> outputs.add(typedString(node));
        case NODE_NAME -> name = typedString(node);
        case NODE_OP_TYPE -> opType = typedString(node);
        case NODE_DOMAIN -> domain = typedString(node);
        case NODE_ATTRIBUTE -> {
          node.expect(ProtoReader.LEN);
          OnnxAttribute a = readAttribute(node.message());
          attributes.put(a.name(), a);
        }
        default -> node.skip();
      }
    }
    if (opType.isEmpty()) {
      throw new IllegalArgumentException("node '" + name + "' has no op_type");
    }
    return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
  }

  private static OnnxAttribute readAttribute(ProtoReader a) {
    String name = "";
    long type = -1;
    float f = 0;
    long i = 0;
    String s = "";
    OnnxTensorProto t = null;
    boolean graph = false;
    FloatList floats = new FloatList();
    LongList ints = new LongList();
    List<String> strings = new ArrayList<>();
    boolean hasF = false;
    boolean hasI = false;
    boolean hasS = false;
    while (a.hasMore()) {
      a.next();
      switch (a.field()) {
        case ATTR_NAME -> name = typedString(a);
        case ATTR_F -> {
          a.expect(ProtoReader.FIXED32);
          f = a.fixed32Float();
          hasF = true;
        }
        case ATTR_I -> {
          a.expect(ProtoReader.VARINT);
          i = a.varint();
          hasI = true;
        }
        case ATTR_S -> {
          s = typedString(a);
          hasS = true;
        }
        case ATTR_T -> {
          a.expect(ProtoReader.LEN);
          t = readTensor(a.message());
        }
        case ATTR_G -> {
          a.skip();
          graph = true;
        }
        case ATTR_FLOATS -> a.repeatedFloats(floats::add);
        case ATTR_INTS -> a.repeatedVarints(ints::add);
        case ATTR_STRINGS -> strings.add(typedString(a));
        case ATTR_TYPE -> {
          a.expect(ProtoReader.VARINT);
          type = a.varint();
        }
        default -> a.skip();
      }
    }
    OnnxAttribute.Kind kind;
    if (type >= 0) {
      kind = OnnxAttribute.Kind.of(type);
    } else if (t != null) { // IR version 1 files have no type field: infer it from the field present
      kind = OnnxAttribute.Kind.TENSOR;
    } else if (graph) {
      kind = OnnxAttribute.Kind.GRAPH;
    } else if (hasF) {
      kind = OnnxAttribute.Kind.FLOAT;
    } else if (hasI) {
      kind = OnnxAttribute.Kind.INT;
    } else if (hasS) {
      kind = OnnxAttribute.Kind.STRING;
    } else if (floats.size > 0) {
      kind = OnnxAttribute.Kind.FLOATS;
    } else if (ints.size > 0) {
      kind = OnnxAttribute.Kind.INTS;
    } else if (!strings.isEmpty()) {
      kind = OnnxAttribute.Kind.STRINGS;
    } else {
      kind = OnnxAttribute.Kind.UNDEFINED;
    }
    return new OnnxAttribute(name, kind, f, i, s, t, floats.toArray(), ints.toArray(), strings);
  }

  /** Reads one TensorProto into the raw_data layout; errors name the tensor once its name is known. */
  static OnnxTensorProto readTensor(ProtoReader t) {
    String name = "";
    try {
      LongList dims = new LongList();
      long dataType = 0;
      ByteBuffer raw = null;
      FloatList floatData = new FloatList();
      LongList intData = new LongList(); // int32_data, int64_data or uint64_data, whichever is used
      List<Double> doubleData = new ArrayList<>();
      boolean external = false;
      while (t.hasMore()) {
        t.next();
        switch (t.field()) {
          case TENSOR_DIMS -> t.repeatedVarints(dims::add);
          case TENSOR_DATA_TYPE -> {
            t.expect(ProtoReader.VARINT);
            dataType = t.varint();
          }
          case TENSOR_SEGMENT -> throw new IllegalArgumentException("segmented tensors are not supported");
          case TENSOR_FLOAT_DATA -> t.repeatedFloats(floatData::add);
          case TENSOR_INT32_DATA, TENSOR_INT64_DATA, TENSOR_UINT64_DATA -> t.repeatedVarints(intData::add);
          case TENSOR_STRING_DATA -> throw new IllegalArgumentException("string tensors are not supported");
          case TENSOR_NAME -> name = typedString(t);
          case TENSOR_RAW_DATA -> {
            t.expect(ProtoReader.LEN);
            raw = t.bytes();
          }
          case TENSOR_DOUBLE_DATA -> t.repeatedDoubles(doubleData::add);
          case TENSOR_EXTERNAL_DATA -> {
            t.skip();
            external = true;
          }
          case TENSOR_DATA_LOCATION -> {
            t.expect(ProtoReader.VARINT);
            external |= t.varint() == 1; // EXTERNAL
          }
          default -> t.skip();
        }
      }
      if (external) {
        throw new IllegalArgumentException("its data is stored outside the model file (external_data), which is not supported");
      }
      OnnxDataType type = OnnxDataType.of(dataType);
      if (type == null) {
        throw new IllegalArgumentException("unknown data_type " + dataType);
      }
      int[] shape = new int[dims.size];
      for (int d = 0; d < shape.length; d++) {
        long v = dims.values[d];
        if (v < 0 || v > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("dimension " + v + " in " + Arrays.toString(dims.toArray()) + " is not a valid size");
        }
        shape[d] = (int) v;
      }
      ByteBuffer data = raw != null ? raw : typedData(type, OnnxTensorProto.elements(shape), floatData, intData, doubleData);
      return new OnnxTensorProto(name, type, shape, data);
    } catch (IllegalArgumentException | ArithmeticException | ProtoReader.MalformedException e) {
      String what = name.isEmpty() ? "tensor" : "tensor '" + name + "'";
      if (e instanceof ProtoReader.MalformedException) {
        throw new ProtoReader.MalformedException(what + ": " + e.getMessage());
      }
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
  }

  /** Values written in the typed repeated fields, re-encoded in raw_data's layout. */
  private static ByteBuffer typedData(OnnxDataType type, long elements, FloatList floats, LongList ints, List<Double> doubles) {
    long given = switch (type) {
      case FLOAT, COMPLEX64 -> floats.size;
      case DOUBLE, COMPLEX128 -> doubles.size();
      default -> ints.size;
    };
    long expected = type == OnnxDataType.COMPLEX64 || type == OnnxDataType.COMPLEX128 ? 2 * elements : elements;
    if (given != expected) {
      throw new IllegalArgumentException(type + " tensor of " + elements + " elements has " + given + " values"
          + (given == 0 ? " (no raw_data and no typed data)" : ""));
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(elements * type.size())).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < given; k++) {
      switch (type) {
        case FLOAT, COMPLEX64 -> out.putFloat(floats.values[k]);
        case DOUBLE, COMPLEX128 -> out.putDouble(doubles.get(k));
        // int32_data carries 8- and 16-bit types (and float16/bfloat16 bit patterns) one per int32
        case UINT8, INT8, BOOL, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ -> out.put((byte) ints.values[k]);
        case UINT16, INT16, FLOAT16, BFLOAT16 -> out.putShort((short) ints.values[k]);
        case INT32, UINT32 -> out.putInt((int) ints.values[k]);
        case INT64, UINT64 -> out.putLong(ints.values[k]);
        default -> throw new IllegalArgumentException(type + " tensors are not supported");
      }
    }
    return out.flip();
  }

  private static String typedString(ProtoReader r) {
    r.expect(ProtoReader.LEN);
    return r.string();
  }

  /** How messages name the file. */
  public String source() {
    return source;
  }

  public long irVersion() {
    return irVersion;
  }

  /** producer_name and producer_version, for example "pytorch 2.1.0" or "onnx.quantize 0.1.0". */
  public String producer() {
    return producer;
  }

  /** Operator set versions by domain ("" is the default ONNX domain). */
  public Map<String, Long> opsets() {
    return opsets;
  }

  /** The nodes in the file's (topological) order. */
  public List<OnnxNode> nodes() {
    return nodes;
  }

  /** Initializers by name, in file order. */
  public Map<String, OnnxTensorProto> initializers() {
    return initializers;
  }

  public boolean hasInitializer(String name) {
    return initializers.containsKey(name);
  }

  /** @throws CheckpointException naming the file and the tensor when there is no such initializer */
  public OnnxTensorProto initializer(String name) {
    OnnxTensorProto t = initializers.get(name);
    if (t == null) {
      throw new CheckpointException(source + ": no initializer '" + name + "'");
    }
    return t;
  }

  /** The graph's input names (in old files, initializers are listed here too). */
  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** The node that writes {@code value}, or null for graph inputs and initializers. */
  public OnnxNode producer(String value) {
    return producers.get(value);
  }

  /** The nodes that read {@code value}, in graph order. */
  public List<OnnxNode> consumers(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  /**
   * The value of {@code value} when it is known without running the graph: an initializer, or
   * the output of a Constant node ({@code value}, {@code value_float}, {@code value_int},
   * {@code value_floats} or {@code value_ints}); null otherwise.
   */
  public OnnxTensorProto constant(String value) {
    OnnxTensorProto t = initializers.get(value);
    if (t != null) {
      return t;
    }
    OnnxNode n = producers.get(value);
    if (n == null || !n.opType().equals("Constant") || !n.domain().isEmpty()) {
      return null;
    }
    for (OnnxAttribute a : n.attributes().values()) {
      ByteBuffer b;
      switch (a.name()) {
        case "value" -> {
          return a.t();
        }
        case "value_float" -> {
          b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(a.f()).flip();
          return new OnnxTensorProto(value, OnnxDataType.FLOAT, new int[0], b);
        }
        case "value_int" -> {
          b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(a.i()).flip();
          return new OnnxTensorProto(value, OnnxDataType.INT64, new int[0], b);
        }
        case "value_floats" -> {
          float[] v = a.floats();
          b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(v);
          return new OnnxTensorProto(value, OnnxDataType.FLOAT, new int[] {v.length}, b);
        }
        case "value_ints" -> {
          long[] v = a.ints();
          b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
          b.asLongBuffer().put(v);
          return new OnnxTensorProto(value, OnnxDataType.INT64, new int[] {v.length}, b);
        }
        default -> {
          // sparse_value, value_string(s): not numeric constants the importer needs
        }
      }
    }
    return null;
  }

  /** A growable long array, so repeated fields do not box every value. */
  private static final class LongList {
    long[] values = new long[8];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  private static final class FloatList {
    float[] values = new float[8];
    int size;

    void add(float v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
