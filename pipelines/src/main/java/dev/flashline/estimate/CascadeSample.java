package dev.flashline.estimate;

import dev.flashline.backend.local.EncoderModel;
import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.Prediction;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.task.BackendKind;
import dev.flashline.task.JobSpec;
import dev.flashline.task.StageSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the local model of a classification task on a sample of documents, as a cascade's first
 * stage would (the classifier fitted on the examples, label descriptions and the sample itself as
 * the adaptation set, like the batch job), and measures the share it would pass on to the model.
 * Free: no endpoint is called; it takes the seconds of loading the encoder and embedding the sample.
 */
public final class CascadeSample {
  /** The accept_confidence assumed for a task that has no local first stage. */
  public static final double WHAT_IF_THRESHOLD = 0.9;

  private final List<String> sample;
  /** Embeddings of the sample, by encoder model name (tasks may share one). */
  private final Map<String, float[][]> embedded = new HashMap<>();

  public CascadeSample(List<String> sample) {
    this.sample = List.copyOf(sample);
  }

  /** The threshold of a task's local first stage, or the what-if one. */
  public static double threshold(JobSpec task) {
    StageSpec first = task.route().get(0);
    if (task.isCascade() && first.backend() == BackendKind.local) {
      return first.acceptConfidence();
    }
    return WHAT_IF_THRESHOLD;
  }

  /** Whether the threshold is assumed: the task has no local first stage. */
  public static boolean whatIf(JobSpec task) {
    return !(task.isCascade() && task.route().get(0).backend() == BackendKind.local);
  }

  /** The measured cascade of a classification task. */
  public TaskLoad.Cascade measure(JobSpec task) {
    double threshold = threshold(task);
    if (sample.isEmpty()) {
      return new TaskLoad.Cascade(threshold, whatIf(task), 0.0, 0, true);
    }
    try (SharedEncoder.Lease lease = SharedEncoder.acquire(LocalBackend.model(task))) {
      EncoderModel encoder = lease.model();
      float[][] vectors = embedded.computeIfAbsent(encoder.spec().name(), name -> embed(encoder));
      List<float[]> adapt = new ArrayList<>();
      for (int i = 0; i < Math.min(vectors.length, task.local().adaptSample()); i++) {
        adapt.add(vectors[i]);
      }
      FewShotClassifier classifier = LocalBackend.fit(encoder, task, adapt);
      Prediction[] predictions = classifier.predictAll(vectors);
      long escalated = 0;
      for (Prediction p : predictions) {
        if (p.confidence() < threshold) {
          escalated++;
        }
      }
      return new TaskLoad.Cascade(threshold, whatIf(task), (double) escalated / predictions.length, predictions.length, true);
    }
  }

  private float[][] embed(EncoderModel encoder) {
    float[][] out = new float[sample.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = encoder.embed(sample.get(i)).vector();
    }
    return out;
  }
}
