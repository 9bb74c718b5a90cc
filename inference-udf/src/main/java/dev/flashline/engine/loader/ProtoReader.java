package dev.flashline.engine.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over one protobuf message in wire format (varints, fixed 32/64-bit values and
 * length-delimited fields), enough to read ONNX files without the protobuf library. Every read is
 * checked against the message's end, so a truncated or garbage file fails with the byte offset
 * instead of reading past the message or allocating a huge array.
 *
 * <p>Not thread-safe; {@link #message} hands out independent cursors over nested messages.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  private final ByteBuffer buf; // position = cursor, limit = end of this message
  private final long base; // absolute offset of buf's index 0, for messages
  private int field;
  private int wireType;

  ProtoReader(ByteBuffer bytes) {
    this(bytes.slice().order(ByteOrder.LITTLE_ENDIAN), 0);
  }

  private ProtoReader(ByteBuffer slice, long base) {
    this.buf = slice;
    this.base = base;
  }

  /** Malformed wire format; the message carries the absolute byte offset. */
  static final class MalformedException extends RuntimeException {
    MalformedException(String message) {
      super(message);
    }
  }

  boolean hasMore() {
    return buf.hasRemaining();
  }

  /** Absolute offset of the cursor from the start of the outermost message. */
  long offset() {
    return base + buf.position();
  }

  /** Reads the next field's key; then read its value with the method its wire type calls for, or {@link #skip}. */
  void next() {
    long at = offset();
    long key = varint();
    field = (int) (key >>> 3);
    wireType = (int) (key & 7);
    if (field <= 0 || key >>> 3 > Integer.MAX_VALUE) {
      throw malformed(at, "field number " + (key >>> 3) + " is not valid");
    }
  }

  int field() {
    return field;
  }

  int wireType() {
    return wireType;
  }

  long varint() {
    long at = offset();
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!buf.hasRemaining()) {
        throw malformed(at, "varint runs past the end of the message");
      }
      byte b = buf.get();
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw malformed(at, "varint longer than 10 bytes");
  }

  float fixed32Float() {
    require(4);
    return buf.getFloat();
  }

  double fixed64Double() {
    require(8);
    return buf.getDouble();
  }

  /** A length-delimited value as a little-endian slice of the file (no copy). */
  ByteBuffer bytes() {
    long at = offset();
    long length = varint();
    if (length < 0 || length > buf.remaining()) {
      throw malformed(at, "length " + length + " runs past the end of the message (" + buf.remaining() + " bytes left)");
    }
    ByteBuffer slice = buf.slice(buf.position(), (int) length).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(buf.position() + (int) length);
    return slice;
  }

  /** A nested message, read by its own cursor. */
  ProtoReader message() {
    ByteBuffer slice = bytes();
    // The cursor now sits just past the slice, so the slice starts its length before here.
    return new ProtoReader(slice, offset() - slice.remaining());
  }

  String string() {
    ByteBuffer b = bytes();
    byte[] copy = new byte[b.remaining()];
    b.get(copy);
    return new String(copy, StandardCharsets.UTF_8);
  }

  /**
   * One or more int64/int32 values of a repeated field: packed (one length-delimited run) or not
   * (one varint per key), both of which writers emit.
   */
  void repeatedVarints(LongSink sink) {
    if (wireType == LEN) {
      ProtoReader packed = message();
      while (packed.hasMore()) {
        sink.accept(packed.varint());
      }
    } else if (wireType == VARINT) {
      sink.accept(varint());
    } else {
      throw malformed(offset(), "field " + field + " has wire type " + wireType + ", expected a varint or a packed run");
    }
  }

  /** Repeated floats: packed or one fixed32 per key. */
  void repeatedFloats(FloatSink sink) {
    if (wireType == LEN) {
      ByteBuffer packed = bytes();
      if (packed.remaining() % 4 != 0) {
        throw malformed(offset(), "packed floats of field " + field + " are " + packed.remaining() + " bytes, not a multiple of 4");
      }
      while (packed.hasRemaining()) {
        sink.accept(packed.getFloat());
      }
    } else if (wireType == FIXED32) {
      sink.accept(fixed32Float());
    } else {
      throw malformed(offset(), "field " + field + " has wire type " + wireType + ", expected fixed32 floats");
    }
  }

  /** Repeated doubles: packed or one fixed64 per key. */
  void repeatedDoubles(DoubleSink sink) {
    if (wireType == LEN) {
      ByteBuffer packed = bytes();
      if (packed.remaining() % 8 != 0) {
        throw malformed(offset(), "packed doubles of field " + field + " are " + packed.remaining() + " bytes, not a multiple of 8");
      }
      while (packed.hasRemaining()) {
        sink.accept(packed.getDouble());
      }
    } else if (wireType == FIXED64) {
      sink.accept(fixed64Double());
    } else {
      throw malformed(offset(), "field " + field + " has wire type " + wireType + ", expected fixed64 doubles");
    }
  }

  /** Skips the current field's value. */
  void skip() {
    switch (wireType) {
      case VARINT -> varint();
      case FIXED64 -> {
        require(8);
        buf.position(buf.position() + 8);
      }
      case LEN -> bytes();
      case FIXED32 -> {
        require(4);
        buf.position(buf.position() + 4);
      }
      default -> throw malformed(offset(), "field " + field + " has wire type " + wireType + " (groups are not used by ONNX)");
    }
  }

  /** Checks the current field's wire type before a typed read. */
  void expect(int wire) {
    if (wireType != wire) {
      throw malformed(offset(), "field " + field + " has wire type " + wireType + ", expected " + wire);
    }
  }

  private void require(int n) {
    if (buf.remaining() < n) {
      throw malformed(offset(), n + "-byte value runs past the end of the message");
    }
  }

  private static MalformedException malformed(long at, String what) {
    return new MalformedException("malformed protobuf at byte " + at + ": " + what);
  }

  @FunctionalInterface
  interface LongSink {
    void accept(long value);
  }

  @FunctionalInterface
  interface FloatSink {
    void accept(float value);
  }

  @FunctionalInterface
  interface DoubleSink {
    void accept(double value);
  }
}
