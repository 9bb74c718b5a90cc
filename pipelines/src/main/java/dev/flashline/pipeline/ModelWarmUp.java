package dev.flashline.pipeline;

import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.SharedEncoder;
import java.util.concurrent.CompletableFuture;

/**
 * Loads the local model on a background thread while Beam builds and starts the pipeline, when
 * the pipeline's workers run in this JVM (DirectRunner, Flink's embedded cluster). The workers'
 * DoFns then find it loaded in {@link SharedEncoder} instead of loading it at their first bundle.
 * Holding the lease until the job ends also keeps the model from being unloaded and reloaded
 * between stages.
 */
final class ModelWarmUp implements AutoCloseable {
  private final CompletableFuture<SharedEncoder.Lease> lease;

  private ModelWarmUp(CompletableFuture<SharedEncoder.Lease> lease) {
    this.lease = lease;
  }

  static ModelWarmUp startIfLocal(LabelRequest request) {
    boolean inThisJvm =
        request.runner() == RunnerChoice.DIRECT || RunnerChoice.FLINK_LOCAL.equals(request.flinkMaster());
    if (!inThisJvm || !request.job().usesLocal()) {
      return new ModelWarmUp(null);
    }
    return new ModelWarmUp(
        CompletableFuture.supplyAsync(() -> SharedEncoder.acquire(LocalBackend.model(request.job()))));
  }

  @Override
  public void close() {
    if (lease == null) {
      return;
    }
    try {
      lease.join().close();
    } catch (RuntimeException e) {
      // A model that cannot load has already failed the pipeline with the same error.
    }
  }
}
