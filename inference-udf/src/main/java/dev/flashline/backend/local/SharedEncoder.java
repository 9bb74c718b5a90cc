package dev.flashline.backend.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  /** The start of the log line written (at DEBUG) on every load. */
  public static final String LOADED = "flashline: loaded the local model";

  /**
   * Says (at DEBUG) each time this JVM loads or frees a model: on a cluster, each TaskManager's
   * log then shows how often its JVM loaded the model ({@value #LOADED} lines).
   */
  private static final Logger LOG = LoggerFactory.getLogger(SharedEncoder.class);
  private static final Map<String, Entry> MODELS = new HashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();
  /**
   * Frees lingering models. Its one thread exits when idle, so nothing of a finished job is held
   * by it (a Flink TaskManager drops a job's classes when the job ends).
   */
  private static final ScheduledThreadPoolExecutor FREER = freer();
  private static volatile Duration linger = Duration.ofSeconds(Math.max(0, Long.getLong(LINGER_PROPERTY, DEFAULT_LINGER_SECONDS)));

  private SharedEncoder() {}

  private static final class Entry {
    final EncoderModel model;
    int references;
    /** The scheduled free of an unused model; null while in use. */
    ScheduledFuture<?> free;

    Entry(EncoderModel model) {
      this.model = model;
    }
  }

  /** A counted reference to a shared model; close it exactly once (further closes are ignored). */
  public static final class Lease implements AutoCloseable {
    private final String name;
    private final EncoderModel model;
    private boolean closed;

    private Lease(String name, EncoderModel model) {
      this.name = name;
      this.model = model;
    }

    public EncoderModel model() {
      if (closed) {
        throw new IllegalStateException("lease on " + name + " is closed");
      }
      return model;
    }

    @Override
    public void close() {
      synchronized (MODELS) {
        if (closed) {
          return;
        }
        closed = true;
        Entry entry = MODELS.get(name);
        if (entry != null && --entry.references == 0) {
          Duration wait = linger;
          if (wait.isZero()) {
            free(name, entry);
          } else {
            entry.free = FREER.schedule(() -> freeIfUnused(name, entry), wait.toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      }
    }
  }

  public static Lease acquire(EncoderModelSpec spec) {
    synchronized (MODELS) {
      Entry entry = MODELS.get(spec.name());
      if (entry == null) {
        long start = System.nanoTime();
        entry = new Entry(EncoderModel.load(spec));
        int loads = LOADS.incrementAndGet();
        LOG.debug("{} {} in {} ms (load {} in this JVM, pid {})", LOADED, spec.name(), (System.nanoTime() - start) / 1_000_000, loads,
            ProcessHandle.current().pid());
        MODELS.put(spec.name(), entry);
      }
      if (entry.free != null) {
        // Taken again while lingering: it stays.
        entry.free.cancel(false);
        entry.free = null;
      }
      entry.references++;
      return new Lease(spec.name(), entry.model);
    }
  }

  /** How long a model nobody uses stays loaded. */
  public static Duration linger() {
    return linger;
  }

  /**
   * Sets how long a model nobody uses stays loaded (zero: freed with its last lease); returns the
   * previous value. Applies to models let go from now on.
   */
  public static Duration setLinger(Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative, got " + value);
    }
    Duration previous = linger;
    linger = value;
    return previous;
  }

  /** Frees every model nobody uses now, without waiting for its linger period to end; returns how many. */
  public static int freeUnused() {
    synchronized (MODELS) {
      int freed = 0;
      for (Map.Entry<String, Entry> model : Map.copyOf(MODELS).entrySet()) {
        if (model.getValue().references == 0) {
          free(model.getKey(), model.getValue());
          freed++;
        }
      }
      return freed;
    }
  }

  /** Models in use (with at least one open lease); 0 once every lease is closed. */
  public static int openModels() {
    synchronized (MODELS) {
      return (int) MODELS.values().stream().filter(e -> e.references > 0).count();
    }
  }

  /** Models loaded in this JVM: those in use and those lingering unused. */
  public static int loadedModels() {
    synchronized (MODELS) {
      return MODELS.size();
    }
  }

  /** Leases still open on the named model. */
  public static int references(String name) {
    synchronized (MODELS) {
      Entry entry = MODELS.get(name);
      return entry == null ? 0 : entry.references;
    }
  }

  /** How many times a model was loaded in this JVM; tests use it to prove sharing. */
  public static int loads() {
    return LOADS.get();
  }

  private static void freeIfUnused(String name, Entry entry) {
    try {
      synchronized (MODELS) {
        if (MODELS.get(name) == entry && entry.references == 0) {
          free(name, entry);
        }
      }
    } catch (Throwable e) {
      // After a Flink job ends its classes may be gone; the model's native memory goes with the JVM.
    }
  }

  /** Caller holds the lock on MODELS. */
  private static void free(String name, Entry entry) {
    if (entry.free != null) {
      entry.free.cancel(false);
      entry.free = null;
    }
    MODELS.remove(name);
    entry.model.close();
    LOG.debug("flashline: freed the local model {}: unused", name);
  }

  private static ScheduledThreadPoolExecutor freer() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "flashline-encoder-freer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
