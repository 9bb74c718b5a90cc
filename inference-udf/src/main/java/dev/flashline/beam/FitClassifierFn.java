package dev.flashline.beam;

import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.cost.CpuClock;
import dev.flashline.task.JobSpec;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;

/** Fits the job's few-shot classifier once, on the examples and the adaptation sample. */
final class FitClassifierFn extends DoFn<List<SampleVector>, FittedClassifier> {
  private final JobSpec job;
  private transient SharedEncoder.Lease encoder;

  FitClassifierFn(JobSpec job) {
    this.job = job;
  }

  @Setup
  public void setup() {
    encoder = SharedEncoder.acquire(LocalBackend.model(job));
  }

  @ProcessElement
  public void process(@Element List<SampleVector> sample, OutputReceiver<FittedClassifier> out) {
    long start = CpuClock.threadNanos();
    List<float[]> vectors =
        sample.stream().limit(job.local().adaptSample()).map(SampleVector::vector).toList();
    FewShotClassifier classifier = LocalBackend.fit(encoder.model(), job, vectors);
    out.output(new FittedClassifier(classifier, (CpuClock.threadNanos() - start) / 1e9));
  }

  @Teardown
  public void teardown() {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
  }
}
