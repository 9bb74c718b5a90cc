package dev.flashline.beam;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Float vectors on the wire: a length, then little-endian floats. */
final class Vectors {
  private Vectors() {}

  static void encode(float[] vector, OutputStream out) throws IOException {
    VarIntCoder.of().encode(vector.length, out);
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    out.write(buffer.array());
  }

  static float[] decode(InputStream in) throws IOException {
    int length = VarIntCoder.of().decode(in);
    byte[] bytes = new byte[length * Float.BYTES];
    new DataInputStream(in).readFully(bytes);
    float[] vector = new float[length];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }
}
