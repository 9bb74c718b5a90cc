package dev.flashline.beam;

import dev.flashline.backend.local.Prediction;
import dev.flashline.cost.CpuClock;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.JobSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Applies the fitted classifier to embedded documents, in batches (scoring against the
 * prototypes is several times faster per document in a batch). A record's cost is the CPU spent
 * on its own embedding, an equal share of its batch's classification, and an equal share of
 * fitting the classifier.
 */
final class ClassifyFn extends DoFn<EmbeddedDocument, LabelledRecord> {
  static final int BATCH = 64;
  /** Rows the local model answered for good. */
  static final TupleTag<LabelledRecord> ANSWERED = new TupleTag<>() {};
  /** In a cascade, documents the local model was not confident enough about, with its row so far. */
  static final TupleTag<KV<Document, LabelledRecord>> ESCALATED = new TupleTag<>() {};

  private final JobSpec job;
  private final PCollectionView<FittedClassifier> classifier;
  private final PCollectionView<Long> records;
  private final LocalAnswers answers;

  // Some runners decode a side input on every access; the classifier is megabytes of prototypes.
  private transient BoundedWindow cachedWindow;
  private transient FittedClassifier cachedClassifier;
  private transient long cachedCount;
  private transient List<Pending> batch;

  /** A document waiting for its batch, with where it must be emitted. */
  private record Pending(EmbeddedDocument document, Instant timestamp, BoundedWindow window) {}

  ClassifyFn(JobSpec job, PCollectionView<FittedClassifier> classifier, PCollectionView<Long> records) {
    this.job = job;
    this.answers = new LocalAnswers(job);
    this.classifier = classifier;
    this.records = records;
  }

  @StartBundle
  public void startBundle() {
    batch = new ArrayList<>(BATCH);
  }

  @ProcessElement
  public void process(@Element EmbeddedDocument embedded, ProcessContext context, BoundedWindow window) {
    if (!window.equals(cachedWindow)) {
      // Side inputs are per window: finish the documents of the previous one with its classifier.
      flush(inProcess(context));
      cachedClassifier = context.sideInput(classifier);
      cachedCount = Math.max(1, context.sideInput(records));
      cachedWindow = window;
    }
    batch.add(new Pending(embedded, context.timestamp(), window));
    if (batch.size() >= BATCH) {
      // Emitted with the current element's timestamp: later than, and in the same window as,
      // those of the documents buffered before it.
      flush(inProcess(context));
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    flush(
        new Emitter() {
          @Override
          public <T> void emit(TupleTag<T> tag, T value, Pending pending) {
            context.output(tag, value, pending.timestamp(), pending.window());
          }
        });
  }

  private Emitter inProcess(ProcessContext context) {
    return new Emitter() {
      @Override
      public <T> void emit(TupleTag<T> tag, T value, Pending pending) {
        context.output(tag, value);
      }
    };
  }

  private interface Emitter {
    <T> void emit(TupleTag<T> tag, T value, Pending pending);
  }

  private void flush(Emitter emitter) {
    if (batch.isEmpty()) {
      return;
    }
    float[][] vectors = new float[batch.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = batch.get(i).document().vector();
    }
    long start = CpuClock.threadNanos();
    Prediction[] predictions = cachedClassifier.classifier().predictAll(vectors);
    double classifyShare = (CpuClock.threadNanos() - start) / 1e9 / vectors.length;
    double fitShare = cachedClassifier.fitCpuSeconds() / cachedCount;
    for (int i = 0; i < vectors.length; i++) {
      Pending pending = batch.get(i);
      EmbeddedDocument embedded = pending.document();
      Document document = embedded.document();
      double seconds = embedded.cpuSeconds() + classifyShare + fitShare;
      LabelledRecord row = answers.row(document, predictions[i], embedded.tokens(), seconds);
      if (answers.escalates(predictions[i])) {
        emitter.emit(ESCALATED, KV.of(document, row), pending);
      } else {
        emitter.emit(ANSWERED, row, pending);
      }
    }
    batch.clear();
  }
}
