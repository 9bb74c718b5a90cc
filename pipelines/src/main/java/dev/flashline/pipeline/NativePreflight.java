package dev.flashline.pipeline;

import dev.flashline.engine.LoadedModel;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.task.JobSpec;
import dev.flashline.task.NativeSpec;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Before anything runs, checks that each checkpoint the native backend will load is one it can
 * load: config.json of a supported decoder, weights whose headers, shapes and sizes hold, and a
 * tokenizer. The weights are only mapped, not read, so this is quick even for a large model; a bad
 * checkpoint then exits 2 naming the file or tensor instead of failing every worker.
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
      Path dir = Path.of(spec.model());
      try (Checkpoint checkpoint = Checkpoint.open(dir)) {
        if (checkpoint.config().isEncoder()) {
          throw new JobSetupException(dir + ": " + checkpoint.config().architecture() + " is an encoder; the native backend runs decoders");
        }
        LoadedModel.openTokenizer(dir).close();
      } catch (CheckpointException | IllegalArgumentException e) {
        throw new JobSetupException("native backend: " + e.getMessage());
      }
    }
  }
}
