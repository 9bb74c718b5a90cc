package dev.flashline.beam;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A record's vector keyed by a hash of its id. The adaptation sample is the records with the
 * smallest keys: a uniform sample that every runner, worker count and rerun draws identically,
 * which keeps labels reproducible.
 */
public record SampleVector(long key, String id, float[] vector) {

  public static SampleVector of(String id, float[] vector) {
    return new SampleVector(key(id), id, vector);
  }

  static long key(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      long key = 0;
      for (int i = 0; i < Long.BYTES; i++) {
        key = (key << 8) | (digest[i] & 0xff);
      }
      return key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** "Larger" means earlier in the sample, because Top keeps the largest elements. */
  static final class SampleOrder implements Comparator<SampleVector>, Serializable {
    @Override
    public int compare(SampleVector a, SampleVector b) {
      int byKey = Long.compare(b.key(), a.key());
      return byKey != 0 ? byKey : b.id().compareTo(a.id());
    }
  }

  static Coder<SampleVector> coder() {
    return SampleVectorCoder.INSTANCE;
  }

  static final class SampleVectorCoder extends AtomicCoder<SampleVector> {
    static final SampleVectorCoder INSTANCE = new SampleVectorCoder();

    @Override
    public void encode(SampleVector value, OutputStream out) throws IOException {
      VarLongCoder.of().encode(value.key(), out);
      StringUtf8Coder.of().encode(value.id(), out);
      Vectors.encode(value.vector(), out);
    }

    @Override
    public SampleVector decode(InputStream in) throws IOException {
      return new SampleVector(VarLongCoder.of().decode(in), StringUtf8Coder.of().decode(in), Vectors.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }
}
