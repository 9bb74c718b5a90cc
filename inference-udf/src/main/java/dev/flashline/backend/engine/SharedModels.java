package dev.flashline.backend.engine;

import dev.flashline.backend.SharedPool;
import dev.flashline.engine.LoadedModel;
import dev.flashline.task.NativeSpec;
import java.nio.file.Path;

/**
 * One {@link LoadedModel} per checkpoint and engine settings per JVM, shared by every DoFn
 * instance and thread, with reference counting: the first {@link #acquire} loads the weights and
 * starts the engine thread, the last {@link Lease#close} stops it and unmaps the weights. A Flink
 * TaskManager with eight slots holds one copy of the weights and runs one engine, which batches
 * the records of all eight together.
 */
public final class SharedModels {
  private static final SharedPool<NativeSpec, LoadedModel> MODELS = new SharedPool<>("native model");

  private SharedModels() {}

  /** A counted reference to a shared model; close it exactly once (further closes are ignored). */
  public static final class Lease implements AutoCloseable {
    private final SharedPool.Lease<LoadedModel> lease;

    private Lease(SharedPool.Lease<LoadedModel> lease) {
      this.lease = lease;
    }

    public LoadedModel model() {
      return lease.get();
    }

    @Override
    public void close() {
      lease.close();
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
    return new Lease(MODELS.acquire(spec, () ->
        LoadedModel.open(Path.of(spec.model()), spec.kvBlocks(), spec.blockSize(), spec.maxSeqs(), spec.maxBatchTokens())));
  }

  /** Models loaded and not yet freed; 0 once every lease is closed. */
  public static int openModels() {
    return MODELS.inUse();
  }

  /** How many times a model was loaded in this JVM; tests use it to prove sharing. */
  public static int loads() {
    return MODELS.creations();
  }
}
