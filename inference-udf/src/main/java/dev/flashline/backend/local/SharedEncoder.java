package dev.flashline.backend.local;

import dev.flashline.backend.SharedPool;

/**
 * One loaded encoder per model per JVM, shared by every DoFn instance and thread, with reference
 * counting: the first {@link #acquire} loads it, the last {@link Lease#close} frees it. A Flink
 * TaskManager with eight slots therefore holds one copy of the weights, not eight.
 */
public final class SharedEncoder {
  private static final SharedPool<String, EncoderModel> MODELS = new SharedPool<>("local model");

  private SharedEncoder() {}

  /** A counted reference to a shared model; close it exactly once (further closes are ignored). */
  public static final class Lease implements AutoCloseable {
    private final SharedPool.Lease<EncoderModel> lease;

    private Lease(SharedPool.Lease<EncoderModel> lease) {
      this.lease = lease;
    }

    public EncoderModel model() {
      return lease.get();
    }

    @Override
    public void close() {
      lease.close();
    }
  }

  public static Lease acquire(EncoderModelSpec spec) {
    return new Lease(MODELS.acquire(spec.name(), () -> EncoderModel.load(spec)));
  }

  /** Models loaded and not yet freed; 0 once every lease is closed. */
  public static int openModels() {
    return MODELS.size();
  }

  /** Leases still open on the named model. */
  public static int references(String name) {
    return MODELS.references(name);
  }

  /** How many times a model was loaded in this JVM; tests use it to prove sharing. */
  public static int loads() {
    return MODELS.creations();
  }
}
