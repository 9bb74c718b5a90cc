package dev.flashline.pipeline;

import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.engine.SharedModels;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.task.NativeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Loads the local model (and the native backend's checkpoints) on a background thread while Beam builds and starts the pipeline, when
 * the pipeline's workers run in this JVM (DirectRunner, Flink's embedded cluster). The workers'
 * DoFns then find it loaded in {@link SharedEncoder} instead of loading it at their first bundle.
 * Holding the lease until the job ends also keeps the model from being unloaded and reloaded
 * between stages.
 */
final class ModelWarmUp implements AutoCloseable {
  private final List<CompletableFuture<? extends AutoCloseable>> leases;

  private ModelWarmUp(List<CompletableFuture<? extends AutoCloseable>> leases) {
    this.leases = leases;
  }

  static ModelWarmUp startIfLocal(LabelRequest request) {
    boolean inThisJvm =
        request.runner() == RunnerChoice.DIRECT || RunnerChoice.FLINK_LOCAL.equals(request.flinkMaster());
    List<CompletableFuture<? extends AutoCloseable>> leases = new ArrayList<>();
    if (inThisJvm && request.job().usesLocal()) {
      leases.add(CompletableFuture.supplyAsync(() -> SharedEncoder.acquire(LocalBackend.model(request.job()))));
    }
    if (inThisJvm) {
      for (NativeSpec engine : NativePreflight.engines(request.job())) {
        leases.add(CompletableFuture.supplyAsync(() -> SharedModels.acquire(engine)));
      }
    }
    return new ModelWarmUp(leases);
  }

  @Override
  public void close() {
    for (CompletableFuture<? extends AutoCloseable> lease : leases) {
      try {
        lease.join().close();
      } catch (Exception e) {
        // A model that cannot load has already failed the pipeline with the same error.
      }
    }
  }
}
