package dev.flashline.engine.loader;

import dev.flashline.engine.quant.Bf16;
import dev.flashline.engine.quant.Fp16;
import dev.flashline.engine.quant.Fp8E4M3;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Safetensors element types. All are known so that offsets can be checked in any file, but only
 * the floating types a model's weights come in are readable; integer tensors (for example BERT's
 * {@code position_ids} buffer) may sit in a checkpoint but cannot be read as weights.
 */
public enum Dtype {
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  F8_E4M3(1, true),
  F64(8, false),
  F8_E5M2(1, false),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U64(8, false),
  U32(4, false),
  U16(2, false),
  U8(1, false),
  BOOL(1, false);

  private final int size;
  private final boolean readable;

  Dtype(int size, boolean readable) {
    this.size = size;
    this.readable = readable;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  public boolean readable() {
    return readable;
  }

  /** The dtype for a header's name, or null when safetensors' name is not one of ours. */
  static Dtype parse(String name) {
    for (Dtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** Decodes {@code count} little-endian elements to fp32; F8_E4M3 without any block scale. */
  float[] decode(ByteBuffer data, int count) {
    ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[count];
    switch (this) {
      case F32 -> le.asFloatBuffer().get(out);
      case F16, BF16 -> {
        short[] halves = new short[count];
        le.asShortBuffer().get(halves);
        for (int i = 0; i < count; i++) {
          out[i] = this == F16 ? Fp16.decode(halves[i]) : Bf16.decode(halves[i]);
        }
      }
      case F8_E4M3 -> {
        for (int i = 0; i < count; i++) {
          out[i] = Fp8E4M3.decode(le.get(i));
        }
      }
      default -> throw new IllegalStateException(this + " is not readable as floats");
    }
    return out;
  }

  /** Encodes fp32 values to this dtype's little-endian bytes (rounding to nearest even). */
  byte[] encode(float[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
    switch (this) {
      case F32 -> out.asFloatBuffer().put(values);
      case F16 -> {
        for (float v : values) {
          out.putShort(Fp16.encode(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          out.putShort(Bf16.encode(v));
        }
      }
      case F8_E4M3 -> {
        for (float v : values) {
          out.put(Fp8E4M3.encode(v));
        }
      }
      default -> throw new IllegalStateException(this + " cannot be written from floats");
    }
    return out.array();
  }
}
