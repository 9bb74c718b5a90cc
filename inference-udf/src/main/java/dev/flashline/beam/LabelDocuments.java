package dev.flashline.beam;

import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.schedule.OffPeakPolicy;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schedule.When;
import dev.flashline.task.JobSpec;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Labels (or summarises) documents with the job's backend: one output row per document, labelled
 * or failed with the reason, each with its usage and cost.
 *
 * <p>With an openai backend every document goes to the endpoint. In a cascade that starts with
 * the local model, only the documents it is not confident enough about do.
 *
 * <p>Classification runs in three steps: embed every document; fit the few-shot classifier once,
 * on the examples and a deterministic sample of the embedded documents; then classify every
 * document with that classifier as a side input.
 */
public final class LabelDocuments extends PTransform<PCollection<Document>, PCollectionTuple> {
  /** One output row per input document. */
  public static final TupleTag<LabelledRecord> RECORDS = new TupleTag<>() {};
  /** How the classifier was fitted (one element for a classify job, none otherwise), for the report. */
  public static final TupleTag<FewShotClassifier.FitReport> FIT_REPORTS = new TupleTag<>() {};

  private final JobSpec job;
  private final String runId;
  private final PriceSchedule prices;
  private final int workers;
  private final Clock clock;
  private final boolean streaming;
  private final When when;
  /** What the off-peak gate waits on; the same time as {@link #clock}. */
  private final WaitClock waitClock;

  private LabelDocuments(
      JobSpec job, String runId, PriceSchedule prices, int workers, Clock clock, boolean streaming, When when, WaitClock waitClock) {
    this.job = Objects.requireNonNull(job, "job");
    this.runId = Objects.requireNonNull(runId, "runId");
    this.prices = Objects.requireNonNull(prices, "prices");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    this.workers = workers;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.streaming = streaming;
    this.when = Objects.requireNonNull(when, "when");
    this.waitClock = Objects.requireNonNull(waitClock, "waitClock");
  }

  public static LabelDocuments of(JobSpec job) {
    return new LabelDocuments(job, UUID.randomUUID().toString(), PriceSchedule.defaults(), 1, Clock.systemUTC(), false, When.now, WaitClock.system());
  }

  /** Names the run whose {@link JobProgress} the workers count into. */
  public LabelDocuments withRunId(String runId) {
    return new LabelDocuments(job, runId, prices, workers, clock, streaming, when, waitClock);
  }

  /** The prices model requests are billed at (default: the DeepSeek V4 schedule shipped with Flashline). */
  public LabelDocuments withPrices(PriceSchedule prices) {
    return new LabelDocuments(job, runId, prices, workers, clock, streaming, when, waitClock);
  }

  /** How many workers share the job's {@code openai.max_in_flight}. */
  public LabelDocuments withWorkers(int workers) {
    return new LabelDocuments(job, runId, prices, workers, clock, streaming, when, waitClock);
  }

  /** The clock that stamps requests for pricing (peak or off-peak); tests fix it. */
  public LabelDocuments withClock(Clock clock) {
    return new LabelDocuments(job, runId, prices, workers, clock, streaming, when, WaitClock.of(clock));
  }

  /**
   * One clock both to price requests and to wait on for off-peak windows, so that a request the
   * gate lets through is priced at the time the gate saw (tests pass a fast clock).
   */
  public LabelDocuments withClock(WaitClock clock) {
    return new LabelDocuments(job, runId, prices, workers, clock.asClock(), streaming, when, clock);
  }

  /**
   * When endpoint requests are sent: {@link When#now}, or only inside the price schedule's
   * off-peak windows ({@link When#off_peak}), pausing between them. Local work is never held.
   */
  public LabelDocuments withWhen(When when) {
    return new LabelDocuments(job, runId, prices, workers, clock, streaming, when, waitClock);
  }

  /**
   * For an unbounded input: every record is labelled on its own, as it arrives. The local
   * classifier is then fitted on the examples alone (a stream has no whole input to adapt to).
   */
  public LabelDocuments streaming() {
    return new LabelDocuments(job, runId, prices, workers, clock, true, when, waitClock);
  }

  @Override
  public PCollectionTuple expand(PCollection<Document> documents) {
    if (!job.usesLocal()) {
      PCollection<LabelledRecord> answered =
          documents
              .apply(
                  "WithNoPrior",
                  MapElements.into(new TypeDescriptor<KV<Document, LabelledRecord>>() {})
                      .via((Document d) -> KV.<Document, LabelledRecord>of(d, null)))
              .setCoder(escalationCoder())
              .apply("AskModel", ParDo.of(new AskModelFn(job, prices, workers, runId, true, clock, offPeak())))
              .setCoder(AvroCoder.of(LabelledRecord.class));
      return PCollectionTuple.of(RECORDS, answered).and(FIT_REPORTS, noFitReport(documents));
    }
    if (job.task() == TaskType.summarise) {
      PCollection<LabelledRecord> summaries =
          documents
              .apply("Summarise", ParDo.of(new SummariseFn(job, runId)))
              .setCoder(AvroCoder.of(LabelledRecord.class));
      return PCollectionTuple.of(RECORDS, summaries).and(FIT_REPORTS, noFitReport(documents));
    }
    if (streaming) {
      return expandStream(documents);
    }
    PCollectionTuple embedded =
        documents.apply(
            "Embed",
            ParDo.of(new EmbedFn(LocalBackend.model(job), TaskType.classify, runId))
                .withOutputTags(EmbedFn.EMBEDDED, TupleTagList.of(EmbedFn.FAILED)));
    PCollection<EmbeddedDocument> vectors = embedded.get(EmbedFn.EMBEDDED).setCoder(EmbeddedDocument.coder());

    PCollection<FittedClassifier> fitted =
        vectors
            .apply(
                "KeyForSample",
                MapElements.into(TypeDescriptor.of(SampleVector.class))
                    .via((EmbeddedDocument d) -> SampleVector.of(d.document().getId(), d.vector())))
            .setCoder(SampleVector.coder())
            // Top needs at least one slot; FitClassifierFn keeps only adapt_sample of them.
            .apply("Sample", Top.of(Math.max(1, job.local().adaptSample()), new SampleVector.SampleOrder()))
            .apply("FitClassifier", ParDo.of(new FitClassifierFn(job)))
            .setCoder(SerializableCoder.of(FittedClassifier.class));
    PCollectionView<FittedClassifier> classifier = fitted.apply("ClassifierView", View.asSingleton());
    PCollection<FewShotClassifier.FitReport> reports =
        fitted
            .apply(
                "FitReport",
                MapElements.into(TypeDescriptor.of(FewShotClassifier.FitReport.class))
                    .via((FittedClassifier f) -> f.classifier().report()))
            .setCoder(SerializableCoder.of(FewShotClassifier.FitReport.class));
    PCollectionView<Long> count = vectors.apply("Count", Count.globally()).apply("CountView", View.asSingleton());

    PCollectionTuple classified =
        vectors.apply(
            "Classify",
            ParDo.of(new ClassifyFn(job, classifier, count))
                .withSideInputs(classifier, count)
                .withOutputTags(ClassifyFn.ANSWERED, TupleTagList.of(ClassifyFn.ESCALATED)));
    PCollectionList<LabelledRecord> all =
        PCollectionList.of(classified.get(ClassifyFn.ANSWERED).setCoder(AvroCoder.of(LabelledRecord.class)))
            .and(embedded.get(EmbedFn.FAILED).setCoder(AvroCoder.of(LabelledRecord.class)));
    if (job.isCascade()) {
      all =
          all.and(
              classified
                  .get(ClassifyFn.ESCALATED)
                  .setCoder(escalationCoder())
                  .apply("Escalate", ParDo.of(new AskModelFn(job, prices, workers, runId, false, clock, offPeak())))
                  .setCoder(AvroCoder.of(LabelledRecord.class)));
    } else {
      classified.get(ClassifyFn.ESCALATED).setCoder(escalationCoder());
    }
    PCollection<LabelledRecord> records = all.apply("WithFailures", Flatten.pCollections());
    return PCollectionTuple.of(RECORDS, records).and(FIT_REPORTS, reports);
  }

  private PCollectionTuple expandStream(PCollection<Document> documents) {
    PCollectionTuple classified =
        documents.apply(
            "ClassifyEach",
            ParDo.of(new StreamClassifyFn(job, runId)).withOutputTags(ClassifyFn.ANSWERED, TupleTagList.of(ClassifyFn.ESCALATED)));
    PCollection<KV<Document, LabelledRecord>> escalated = classified.get(ClassifyFn.ESCALATED).setCoder(escalationCoder());
    PCollectionList<LabelledRecord> all =
        PCollectionList.of(classified.get(ClassifyFn.ANSWERED).setCoder(AvroCoder.of(LabelledRecord.class)));
    if (job.isCascade()) {
      all = all.and(
          escalated
              .apply("Escalate", ParDo.of(new AskModelFn(job, prices, workers, runId, true, clock, offPeak())))
              .setCoder(AvroCoder.of(LabelledRecord.class)));
    }
    return PCollectionTuple.of(RECORDS, all.apply("AllAnswers", Flatten.pCollections())).and(FIT_REPORTS, noFitReport(documents));
  }

  /** The recipe of the off-peak gate, or null when requests go out at once. */
  private OffPeakPolicy offPeak() {
    return when == When.off_peak ? new OffPeakPolicy(prices, waitClock, null) : null;
  }

  private static KvCoder<Document, LabelledRecord> escalationCoder() {
    return KvCoder.of(AvroCoder.of(Document.class), NullableCoder.of(AvroCoder.of(LabelledRecord.class)));
  }

  private static PCollection<FewShotClassifier.FitReport> noFitReport(PCollection<Document> documents) {
    return documents.getPipeline().apply("NoClassifier", Create.empty(SerializableCoder.of(FewShotClassifier.FitReport.class)));
  }
}
