package dev.flashline.engine.loader;

import java.util.List;

/**
 * A node attribute ({@code AttributeProto}). Exactly one value field is meaningful, as {@code kind}
 * says; the others keep their empty defaults. Graph-valued attributes (control flow) are recorded
 * by kind only: the engine imports feed-forward encoders, which have none.
 *
 * @param s a STRING attribute's bytes as UTF-8 (ONNX strings are bytes; the ones that matter are text)
 */
public record OnnxAttribute(
    String name, Kind kind, float f, long i, String s, OnnxTensorProto t, float[] floats, long[] ints, List<String> strings) {

  /** {@code AttributeProto.AttributeType}, with onnx.proto's codes. */
  public enum Kind {
    UNDEFINED(0),
    FLOAT(1),
    INT(2),
    STRING(3),
    TENSOR(4),
    GRAPH(5),
    FLOATS(6),
    INTS(7),
    STRINGS(8),
    TENSORS(9),
    GRAPHS(10),
    SPARSE_TENSOR(11),
    SPARSE_TENSORS(12),
    TYPE_PROTO(13),
    TYPE_PROTOS(14);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static Kind of(long code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      return UNDEFINED;
    }
  }

  public OnnxAttribute {
    floats = floats.clone();
    ints = ints.clone();
    strings = List.copyOf(strings);
  }

  @Override
  public float[] floats() {
    return floats.clone();
  }

  @Override
  public long[] ints() {
    return ints.clone();
  }
}
