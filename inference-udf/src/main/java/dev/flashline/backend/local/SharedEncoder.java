package dev.flashline.backend.local;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded encoder per model per JVM, shared by every DoFn instance and thread, with reference
 * counting: the first {@link #acquire} loads it, the last {@link Lease#close} frees it. A Flink
 * TaskManager with eight slots therefore holds one copy of the weights, not eight.
 */
public final class SharedEncoder {
  private static final Map<String, Entry> MODELS = new HashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private SharedEncoder() {}

  private static final class Entry {
    final EncoderModel model;
    int references;

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
          MODELS.remove(name);
          entry.model.close();
        }
      }
    }
  }

  public static Lease acquire(EncoderModelSpec spec) {
    synchronized (MODELS) {
      Entry entry = MODELS.get(spec.name());
      if (entry == null) {
        entry = new Entry(EncoderModel.load(spec));
        LOADS.incrementAndGet();
        MODELS.put(spec.name(), entry);
      }
      entry.references++;
      return new Lease(spec.name(), entry.model);
    }
  }

  /** Models loaded and not yet freed; 0 once every lease is closed. */
  public static int openModels() {
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
}
