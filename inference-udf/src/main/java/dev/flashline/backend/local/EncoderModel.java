package dev.flashline.backend.local;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A sentence encoder run with ONNX Runtime on the CPU. One instance is shared by every thread of
 * a worker JVM (see {@link SharedEncoder}); {@link #embed} is thread-safe.
 *
 * <p>The session runs each call on the calling thread (one intra-op thread). Parallelism comes
 * from the runner's threads instead, which keeps every core busy without oversubscription and
 * makes the calling thread's CPU time an exact measure of what a record cost.
 *
 * <p>Texts are run one per call. The bundled int8 graph quantises activations with one scale per
 * input tensor, so in a batch a text's vector would depend on the texts beside it, and labels
 * would depend on how a runner happened to batch records.
 */
public final class EncoderModel implements AutoCloseable {
  /** Windows per text. Enough for about 8,000 tokens; the tail of longer texts is not embedded. */
  static final int MAX_WINDOWS = 16;

  private final EncoderModelSpec spec;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsTokenTypes;
  private final long clsId;
  private final long sepId;
  private final int dimension;
  /**
   * Embedding holds the read lock, closing the write lock: native memory is never freed under a
   * running call. A runner that tears a DoFn down while another thread still embeds (DirectRunner
   * cancelling a stream) otherwise crashed the JVM inside ONNX Runtime.
   */
  private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
  private boolean closed; // guarded by life

  private EncoderModel(EncoderModelSpec spec, OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer)
      throws OrtException {
    this.spec = spec;
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.wantsTokenTypes = session.getInputNames().contains("token_type_ids");
    long[] empty = tokenizer.encode("", true, false).getIds();
    if (empty.length != 2) {
      throw new IllegalStateException(
          "model " + spec.name() + ": expected the tokenizer to wrap texts in two special tokens, got " + empty.length);
    }
    this.clsId = empty[0];
    this.sepId = empty[1];
    this.dimension = embedIds(new long[] {clsId, sepId}).length;
  }

  public static EncoderModel load(EncoderModelSpec spec) {
    // DJL otherwise tries the network at start (version checks, usage tracking); the model is local.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    try {
      byte[] onnx = resource(spec.onnxResource());
      HuggingFaceTokenizer tokenizer;
      try (InputStream json = stream(spec.tokenizerResource())) {
        // truncation=false: DJL otherwise cuts silently at 512 tokens; windows are cut here instead.
        tokenizer =
            HuggingFaceTokenizer.newInstance(
                json, Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true"));
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      OrtSession session = env.createSession(onnx, options);
      return new EncoderModel(spec, env, session, tokenizer);
    } catch (OrtException | IOException e) {
      throw new IllegalStateException("cannot load local model " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  public EncoderModelSpec spec() {
    return spec;
  }

  public int dimension() {
    return dimension;
  }

  /**
   * Embeds one text. Texts longer than the encoder's window are cut into windows whose vectors are
   * averaged, weighted by their length, so long documents are not judged by their first 512
   * tokens alone.
   */
  public Embedding embed(String text) {
    life.readLock().lock();
    try {
      return embedOpen(text);
    } finally {
      life.readLock().unlock();
    }
  }

  private Embedding embedOpen(String text) {
    long[] ids = ids(text);
    boolean truncated = ids.length > (long) (spec.maxPositions() - 2) * MAX_WINDOWS;
    float[] sum = new float[dimension];
    int tokens = 0;
    for (long[] chunk : windows(ids)) {
      float[] vector = embedIds(chunk);
      for (int d = 0; d < dimension; d++) {
        sum[d] += vector[d] * chunk.length;
      }
      tokens += chunk.length;
    }
    return new Embedding(Vectors.normalise(sum), tokens, truncated);
  }

  /**
   * The token ids {@link #embed} runs the encoder on: the prefixed text cut into windows of at
   * most {@code maxPositions - 2} tokens, each wrapped in the tokenizer's two special tokens, at
   * most {@link #MAX_WINDOWS} of them. Another runtime given these ids computes the same thing.
   */
  public List<long[]> windows(String text) {
    life.readLock().lock();
    try {
      return windows(ids(text));
    } finally {
      life.readLock().unlock();
    }
  }

  /** Callers hold the read lock. */
  private long[] ids(String text) {
    if (closed) {
      throw new IllegalStateException("local model " + spec.name() + " is closed");
    }
    Encoding encoding = tokenizer.encode(spec.textPrefix() + text, false, false);
    return encoding.getIds();
  }

  private List<long[]> windows(long[] ids) {
    int window = spec.maxPositions() - 2;
    int windows = Math.min(MAX_WINDOWS, Math.max(1, (ids.length + window - 1) / window));
    List<long[]> out = new ArrayList<>(windows);
    for (int w = 0; w < windows; w++) {
      int from = w * window;
      int to = Math.min(ids.length, from + window);
      long[] chunk = new long[to - from + 2];
      chunk[0] = clsId;
      System.arraycopy(ids, from, chunk, 1, to - from);
      chunk[chunk.length - 1] = sepId;
      out.add(chunk);
    }
    return out;
  }

  /** Runs the encoder on one window of token ids and pools it; (dimension), unit length. */
  private float[] embedIds(long[] ids) {
    int length = ids.length;
    long[] mask = new long[length];
    java.util.Arrays.fill(mask, 1L);
    long[] shape = {1, length};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (wantsTokenTypes) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[length]), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        // (1, length, dimension)
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        int dim = hidden.remaining() / length;
        float[] pooled = new float[dim];
        if (spec.pooling() == EncoderModelSpec.Pooling.CLS) {
          hidden.get(pooled, 0, dim);
        } else {
          for (int t = 0; t < length; t++) {
            int base = t * dim;
            for (int d = 0; d < dim; d++) {
              pooled[d] += hidden.get(base + d);
            }
          }
          for (int d = 0; d < dim; d++) {
            pooled[d] /= length;
          }
        }
        return Vectors.normalise(pooled);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("local model " + spec.name() + " failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    life.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("cannot close local model " + spec.name(), e);
      } finally {
        tokenizer.close();
      }
    } finally {
      life.writeLock().unlock();
    }
  }


  private static byte[] resource(String name) throws IOException {
    try (InputStream in = stream(name)) {
      return in.readAllBytes();
    }
  }

  private static InputStream stream(String name) {
    InputStream in = EncoderModel.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new UncheckedIOException(
          new IOException("model resource '" + name + "' is not on the classpath (is the model jar missing?)"));
    }
    return in;
  }
}
