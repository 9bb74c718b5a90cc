package dev.flashline.engine.loader;

import dev.flashline.engine.quant.Bf16;
import dev.flashline.engine.quant.Fp16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One ONNX tensor (a graph initializer or a Constant node's value). Whichever field the writer
 * used ({@code raw_data}, {@code float_data}, {@code int32_data}, {@code int64_data}, ...), the
 * values are held here as {@code raw_data} would hold them: little-endian, {@code dataType.size()}
 * bytes per element, row-major, so every reader decodes one layout.
 *
 * @param shape the dims, outermost first; empty for a scalar
 * @param data exactly {@code elements() * dataType.size()} bytes, little-endian (a read-only view)
 */
public record OnnxTensorProto(String name, OnnxDataType dataType, int[] shape, ByteBuffer data) {

  public OnnxTensorProto {
    shape = shape.clone();
    long expected = elements(shape) * dataType.size();
    if (dataType == OnnxDataType.STRING) {
      throw new IllegalArgumentException("tensor '" + name + "': STRING tensors are not supported");
    }
    if (data.remaining() != expected) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dataType
          + " needs " + expected + " bytes, the data has " + data.remaining());
    }
    data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** A fresh view of the bytes, positioned at the first element. */
  @Override
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  public long elements() {
    return elements(shape);
  }

  static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The values of a FLOAT, FLOAT16, BFLOAT16 or DOUBLE tensor as fp32. */
  public float[] floats() {
    if (!dataType.isFloating()) {
      throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not a floating type");
    }
    int n = Math.toIntExact(elements());
    float[] out = new float[n];
    ByteBuffer b = data();
    switch (dataType) {
      case FLOAT -> b.asFloatBuffer().get(out);
      case DOUBLE -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble();
        }
      }
      case FLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Fp16.decode(b.getShort());
        }
      }
      case BFLOAT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Bf16.decode(b.getShort());
        }
      }
      default -> throw new IllegalStateException(dataType.toString());
    }
    return out;
  }

  /** The values of an integer (or BOOL) tensor; unsigned types read as their unsigned value. */
  public long[] longs() {
    if (!dataType.isInteger()) {
      throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not an integer type");
    }
    int n = Math.toIntExact(elements());
    long[] out = new long[n];
    ByteBuffer b = data();
    for (int i = 0; i < n; i++) {
      out[i] = switch (dataType) {
        case UINT8, BOOL -> b.get() & 0xffL;
        case INT8 -> b.get();
        case UINT16 -> b.getShort() & 0xffffL;
        case INT16 -> b.getShort();
        case UINT32 -> b.getInt() & 0xffffffffL;
        case INT32 -> b.getInt();
        case INT64, UINT64 -> b.getLong();
        default -> throw new IllegalStateException(dataType.toString());
      };
    }
    return out;
  }

  /** Element {@code i} of a UINT8 or INT8 tensor, without decoding the rest (for large quantised tables). */
  public int byteAt(long i) {
    int v = data.get(Math.toIntExact(i));
    return switch (dataType) {
      case UINT8 -> v & 0xff;
      case INT8 -> v;
      default -> throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not UINT8 or INT8");
    };
  }

  @Override
  public String toString() {
    return "OnnxTensorProto[" + name + " " + dataType + " " + Arrays.toString(shape) + "]";
  }
}
