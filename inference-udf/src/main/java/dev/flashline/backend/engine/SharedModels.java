package dev.flashline.backend.engine;

import dev.flashline.engine.LoadedModel;
import dev.flashline.task.NativeSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link LoadedModel} per checkpoint and engine settings per JVM, shared by every DoFn
 * instance and thread, with reference counting: the first {@link #acquire} loads the weights and
 * starts the engine thread, the last {@link Lease#close} stops it and unmaps the weights. A Flink
 * TaskManager with eight slots holds one copy of the weights and runs one engine, which batches
 * the records of all eight together.
 */
public final class SharedModels {
  private static final Map<NativeSpec, Entry> MODELS = new HashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private SharedModels() {}

  private static final class Entry {
    final LoadedModel model;
    int references;

    Entry(LoadedModel model) {
      this.model = model;
    }
  }

  /** A counted reference to a shared model; close it exactly once (further closes are ignored). */
  public static final class Lease implements AutoCloseable {
    private final NativeSpec spec;
    private final LoadedModel model;
    private boolean closed;

    private Lease(NativeSpec spec, LoadedModel model) {
      this.spec = spec;
      this.model = model;
    }

    public LoadedModel model() {
      if (closed) {
        throw new IllegalStateException("lease on " + spec.model() + " is closed");
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
        Entry entry = MODELS.get(spec);
        if (entry != null && --entry.references == 0) {
          MODELS.remove(spec);
          entry.model.close();
        }
      }
    }
  }

  /**
   * @throws dev.flashline.engine.loader.CheckpointException naming the file or tensor when the
   *     checkpoint cannot be loaded
   */
  public static Lease acquire(NativeSpec spec) {
    if (spec.model() == null) {
      throw new IllegalArgumentException("'native.model' is not set");
    }
    synchronized (MODELS) {
      Entry entry = MODELS.get(spec);
      if (entry == null) {
        entry = new Entry(LoadedModel.open(Path.of(spec.model()), spec.kvBlocks(), spec.blockSize(), spec.maxSeqs(), spec.maxBatchTokens()));
        LOADS.incrementAndGet();
        MODELS.put(spec, entry);
      }
      entry.references++;
      return new Lease(spec, entry.model);
    }
  }

  /** Models loaded and not yet freed; 0 once every lease is closed. */
  public static int openModels() {
    synchronized (MODELS) {
      return MODELS.size();
    }
  }

  /** How many times a model was loaded in this JVM; tests use it to prove sharing. */
  public static int loads() {
    return LOADS.get();
  }
}
