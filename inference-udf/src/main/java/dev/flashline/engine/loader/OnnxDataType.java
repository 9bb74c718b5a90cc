package dev.flashline.engine.loader;

/**
 * ONNX {@code TensorProto.DataType} element types, with the codes onnx.proto gives them. Sizes are
 * bytes per element in {@code raw_data} (little-endian); 0 for STRING, which has no fixed size.
 */
public enum OnnxDataType {
  FLOAT(1, 4),
  UINT8(2, 1),
  INT8(3, 1),
  UINT16(4, 2),
  INT16(5, 2),
  INT32(6, 4),
  INT64(7, 8),
  STRING(8, 0),
  BOOL(9, 1),
  FLOAT16(10, 2),
  DOUBLE(11, 8),
  UINT32(12, 4),
  UINT64(13, 8),
  COMPLEX64(14, 8),
  COMPLEX128(15, 16),
  BFLOAT16(16, 2),
  FLOAT8E4M3FN(17, 1),
  FLOAT8E4M3FNUZ(18, 1),
  FLOAT8E5M2(19, 1),
  FLOAT8E5M2FNUZ(20, 1);

  private final int code;
  private final int size;

  OnnxDataType(int code, int size) {
    this.code = code;
    this.size = size;
  }

  public int code() {
    return code;
  }

  /** Bytes per element in raw_data; 0 for STRING. */
  public int size() {
    return size;
  }

  /** Integer types whose values {@link OnnxTensorProto#longs} reads. */
  public boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, BOOL -> true;
      default -> false;
    };
  }

  /** Floating types whose values {@link OnnxTensorProto#floats} reads. */
  public boolean isFloating() {
    return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
  }

  /** The type for an onnx.proto code, or null when the code is unknown (0 is UNDEFINED). */
  public static OnnxDataType of(long code) {
    for (OnnxDataType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
