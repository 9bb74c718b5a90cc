package dev.flashline.backend.local;

import dev.flashline.backend.SharedPool;
import java.time.Duration;

/**
 * One loaded encoder per model per JVM, shared by every DoFn instance and thread, with reference
 * counting: the first {@link #acquire} loads it; once the last {@link Lease#close} lets go, it
 * stays loaded for the {@linkplain #linger() linger period} (default {@value #DEFAULT_LINGER_SECONDS}
 * s, system property {@value #LINGER_PROPERTY}) and is freed unless a new lease takes it in the
 * meantime. A Flink TaskManager with eight slots therefore holds one copy of the weights, not
 * eight; and a batch job whose stages run one after another on a TaskManager (embed every record,
 * then fit the classifier) loads the model once, not once per stage.
 */
public final class SharedEncoder {
  /** Seconds an unused model stays loaded, unless {@value #LINGER_PROPERTY} says otherwise. */
  public static final long DEFAULT_LINGER_SECONDS = 120;
  /** System property: seconds an unused model stays loaded (0 frees it with its last lease). */
  public static final String LINGER_PROPERTY = "flashline.encoder.linger-seconds";
  private static final String WHAT = "local model";
  /** The start of the log line written (at DEBUG) on every load: a TaskManager's log shows how often its JVM loaded the model. */
  public static final String LOADED = SharedPool.createdLine(WHAT);

  private static final SharedPool<String, EncoderModel> MODELS =
      new SharedPool<>(WHAT, Duration.ofSeconds(Math.max(0, Long.getLong(LINGER_PROPERTY, DEFAULT_LINGER_SECONDS))));

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

  /** How long a model nobody uses stays loaded. */
  public static Duration linger() {
    return MODELS.linger();
  }

  /**
   * Sets how long a model nobody uses stays loaded (zero: freed with its last lease); returns the
   * previous value. Applies to models let go from now on.
   */
  public static Duration setLinger(Duration value) {
    return MODELS.setLinger(value);
  }

  /** Frees every model nobody uses now, without waiting for its linger period to end; returns how many. */
  public static int freeUnused() {
    return MODELS.closeUnused();
  }

  /** Models in use (with at least one open lease); 0 once every lease is closed. */
  public static int openModels() {
    return MODELS.inUse();
  }

  /** Models loaded in this JVM: those in use and those lingering unused. */
  public static int loadedModels() {
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
