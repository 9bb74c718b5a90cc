package dev.flashline.engine.loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Protobuf wire format, written: enough to build ONNX files for tests and to rewrite a graph. */
final class ProtoWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ProtoWriter tag(int field, int wireType) {
    return rawVarint(((long) field << 3) | wireType);
  }

  ProtoWriter rawVarint(long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  ProtoWriter varint(int field, long v) {
    return tag(field, ProtoReader.VARINT).rawVarint(v);
  }

  ProtoWriter fixed32(int field, float v) {
    tag(field, ProtoReader.FIXED32);
    return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
  }

  ProtoWriter bytes(int field, byte[] b) {
    tag(field, ProtoReader.LEN).rawVarint(b.length);
    return raw(b);
  }

  ProtoWriter string(int field, String s) {
    return bytes(field, s.getBytes(StandardCharsets.UTF_8));
  }

  ProtoWriter message(int field, ProtoWriter m) {
    return bytes(field, m.toByteArray());
  }

  ProtoWriter packedVarints(int field, long... values) {
    ProtoWriter p = new ProtoWriter();
    for (long v : values) {
      p.rawVarint(v);
    }
    return message(field, p);
  }

  ProtoWriter packedFloats(int field, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return bytes(field, b.array());
  }

  /** Bytes copied as they are (a field read from another message, tag included). */
  ProtoWriter raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  int size() {
    return out.size();
  }

  // ONNX messages, with onnx.proto's field numbers.

  /** A TensorProto with raw_data. */
  static ProtoWriter tensor(String name, OnnxDataType type, int[] dims, byte[] raw) {
    ProtoWriter t = new ProtoWriter();
    long[] d = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      d[i] = dims[i];
    }
    if (d.length > 0) {
      t.packedVarints(1, d);
    }
    return t.varint(2, type.code()).string(8, name).bytes(9, raw);
  }

  static ProtoWriter floatTensor(String name, int[] dims, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return tensor(name, OnnxDataType.FLOAT, dims, b.array());
  }

  /** A NodeProto without attributes. */
  static ProtoWriter node(String name, String opType, String[] inputs, String[] outputs) {
    ProtoWriter n = new ProtoWriter();
    for (String in : inputs) {
      n.string(1, in);
    }
    for (String o : outputs) {
      n.string(2, o);
    }
    return n.string(3, name).string(4, opType);
  }

  /** A ValueInfoProto with only a name. */
  static ProtoWriter valueInfo(String name) {
    return new ProtoWriter().string(1, name);
  }
}
