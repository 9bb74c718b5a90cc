package dev.flashline.pipeline;

import dev.flashline.engine.LoadedModel;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.task.JobSpec;
import dev.flashline.task.NativeSpec;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Before anything runs, checks that each checkpoint the native backend will load is one it can
 * load ({@link LoadedModel#verify}); a bad checkpoint then exits 2 naming the file or tensor
 * instead of failing every worker.
 */
final class NativePreflight {
  private NativePreflight() {}

  /** The distinct engines the job's tasks run. */
  static Set<NativeSpec> engines(JobSpec job) {
    Set<NativeSpec> out = new LinkedHashSet<>();
    for (JobSpec task : job.taskJobs()) {
      if (task.usesNative()) {
        out.add(task.nativeModel());
      }
    }
    return out;
  }

  static void check(LabelRequest request) throws JobSetupException {
    for (NativeSpec spec : engines(request.job())) {
      try {
        LoadedModel.verify(Path.of(spec.model()));
      } catch (CheckpointException | IllegalArgumentException e) {
        throw new JobSetupException("native backend: " + e.getMessage());
      }
    }
  }
}
