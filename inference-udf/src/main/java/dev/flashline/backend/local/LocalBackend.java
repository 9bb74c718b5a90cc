package dev.flashline.backend.local;

import dev.flashline.task.Example;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default worker: a small sentence encoder on the CPU, few-shot classification from
 * the job's examples and label descriptions, and extractive summaries. Works offline.
 */
public final class LocalBackend {
  /** What rows answered by this backend say in their {@code backend} field. */
  public static final String NAME = "local";

  private LocalBackend() {}

  public static EncoderModelSpec model(JobSpec job) {
    return EncoderModelSpec.named(job.local().model());
  }

  /**
   * Fits the job's classifier: embeds its examples and label descriptions and adapts to the
   * sample of unlabelled input vectors (deterministic order, may be empty).
   */
  public static FewShotClassifier fit(EncoderModel encoder, JobSpec job, List<float[]> sample) {
    List<String> labels = job.labelNames();
    List<FewShotTrainer.LabelledVector> examples = new ArrayList<>();
    for (Example example : job.examples()) {
      examples.add(new FewShotTrainer.LabelledVector(encoder.embed(example.text()).vector(), labels.indexOf(example.label())));
    }
    List<float[]> descriptions = new ArrayList<>();
    for (LabelSpec label : job.labels()) {
      descriptions.add(encoder.embed(describe(label)).vector());
    }
    return FewShotTrainer.fit(labels, examples, descriptions, sample);
  }

  /** The text a label's description prototype is embedded from. */
  static String describe(LabelSpec label) {
    return label.description().isEmpty() ? label.name() : label.name() + ": " + label.description();
  }
}
