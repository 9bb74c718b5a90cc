package dev.flashline.beam;

import dev.flashline.backend.local.LocalBackend;
import dev.flashline.backend.local.Prediction;
import dev.flashline.cost.CpuClock;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.Example;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Applies the fitted classifier to each embedded document. A record's cost is the CPU spent on
 * its own embedding and classification plus an equal share of fitting the classifier.
 */
final class ClassifyFn extends DoFn<EmbeddedDocument, LabelledRecord> {
  private final JobSpec job;
  private final PCollectionView<FittedClassifier> classifier;
  private final PCollectionView<Long> records;
  private final Set<String> exampleTexts;

  ClassifyFn(JobSpec job, PCollectionView<FittedClassifier> classifier, PCollectionView<Long> records) {
    this.job = job;
    this.classifier = classifier;
    this.records = records;
    this.exampleTexts = job.examples().stream().map(Example::text).map(ClassifyFn::normalise).collect(Collectors.toSet());
  }

  // Some runners decode a side input on every access; the classifier is megabytes of prototypes.
  private transient BoundedWindow cachedWindow;
  private transient FittedClassifier cachedClassifier;
  private transient long cachedCount;

  @ProcessElement
  public void process(
      @Element EmbeddedDocument embedded, OutputReceiver<LabelledRecord> out, ProcessContext context, BoundedWindow window) {
    if (!window.equals(cachedWindow)) {
      cachedClassifier = context.sideInput(classifier);
      cachedCount = Math.max(1, context.sideInput(records));
      cachedWindow = window;
    }
    FittedClassifier fitted = cachedClassifier;
    long count = cachedCount;
    long start = CpuClock.threadNanos();
    Prediction prediction = fitted.classifier().predict(embedded.vector());
    double seconds = embedded.cpuSeconds() + (CpuClock.threadNanos() - start) / 1e9 + fitted.fitCpuSeconds() / count;
    Document document = embedded.document();
    out.output(
        LabelledRecords.selfHosted(
                document.getId(), TaskType.classify, LocalBackend.NAME, job.local().model(), seconds, job.compute())
            .setLabel(prediction.label())
            .setConfidence(prediction.confidence())
            .setInputTokens(embedded.tokens())
            .setGoldLabel(document.getGoldLabel())
            .setIsExample(exampleTexts.contains(normalise(document.getText())))
            .build());
  }

  /** Example matching ignores differences in whitespace only. */
  static String normalise(String text) {
    return text.strip().replaceAll("\\s+", " ");
  }
}
