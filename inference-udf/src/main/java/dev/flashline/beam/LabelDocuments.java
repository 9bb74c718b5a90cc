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
import java.util.Set;
import java.util.TreeSet;
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
 * <p>With an openai backend every document goes to the endpoint. With the native backend the
 * engine inside the worker answers. In a cascade that starts with the local or native model, only
 * the documents it is not confident enough about go to an endpoint.
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
    boolean multi = job.isMultiTask();
    PCollectionList<LabelledRecord> rows = PCollectionList.empty(documents.getPipeline());
    PCollectionList<KV<String, KV<Document, LabelledRecord>>> toAsk = PCollectionList.empty(documents.getPipeline());
    Set<String> countedWhenAsked = new TreeSet<>();
    PCollection<FewShotClassifier.FitReport> fitReports = null;
    for (JobSpec task : job.taskJobs()) {
      // Step names must be unique in a pipeline; a job of one task keeps the plain names.
      String step = multi ? task.name() + "/" : "";
      PCollection<Document> input = documents;
      if (multi) {
        input = documents.apply(step + "GoldLabel", ParDo.of(new TaskGoldFn(task.name()))).setCoder(AvroCoder.of(Document.class));
      }
      TaskPart part = expandTask(task, input, step);
      rows = rows.and(part.answered().apply(step + "NameRows", ParDo.of(new NameRowsFn(task.name()))).setCoder(AvroCoder.of(LabelledRecord.class)));
      if (part.toAsk() != null) {
        String name = task.name();
        toAsk = toAsk.and(
            part.toAsk()
                .apply(step + "TagTask", MapElements.into(new TypeDescriptor<KV<String, KV<Document, LabelledRecord>>>() {})
                    .via((KV<Document, LabelledRecord> r) -> KV.of(name, r)))
                .setCoder(AskModels.requestCoder()));
        if (!task.usesLocal() && !task.usesNative()) {
          countedWhenAsked.add(name);
        }
      }
      if (!multi) {
        fitReports = part.fitReports();
      }
    }
    if (!toAsk.getAll().isEmpty()) {
      PCollection<LabelledRecord> asked =
          toAsk.apply("AllRequests", Flatten.pCollections())
              .setCoder(AskModels.requestCoder())
              .apply("AskModels", new AskModels(job, prices, workers, runId, countedWhenAsked, clock, streaming, offPeak()));
      rows = rows.and(asked);
    }
    PCollection<LabelledRecord> records = rows.apply("AllAnswers", Flatten.pCollections()).setCoder(AvroCoder.of(LabelledRecord.class));
    return PCollectionTuple.of(RECORDS, records).and(FIT_REPORTS, fitReports == null ? noFitReport(documents) : fitReports);
  }

  /** What one task's local steps produce: final rows, and the requests left for an endpoint. */
  private record TaskPart(
      PCollection<LabelledRecord> answered,
      PCollection<KV<Document, LabelledRecord>> toAsk,
      PCollection<FewShotClassifier.FitReport> fitReports) {}

  private TaskPart expandTask(JobSpec task, PCollection<Document> documents, String step) {
    if (task.usesNative()) {
      PCollectionTuple answered =
          documents.apply(
              step + "AskNative",
              ParDo.of(new NativeAnswerFn(task, runId)).withOutputTags(ClassifyFn.ANSWERED, TupleTagList.of(ClassifyFn.ESCALATED)));
      return new TaskPart(answered(answered), escalated(answered, task), null);
    }
    if (!task.usesLocal()) {
      PCollection<KV<Document, LabelledRecord>> all =
          documents
              .apply(
                  step + "WithNoPrior",
                  MapElements.into(new TypeDescriptor<KV<Document, LabelledRecord>>() {})
                      .via((Document d) -> KV.<Document, LabelledRecord>of(d, null)))
              .setCoder(escalationCoder());
      return new TaskPart(noRows(documents, step), all, null);
    }
    if (task.task() == TaskType.summarise) {
      PCollection<LabelledRecord> summaries =
          documents
              .apply(step + "Summarise", ParDo.of(new SummariseFn(task, runId)))
              .setCoder(AvroCoder.of(LabelledRecord.class));
      return new TaskPart(summaries, null, null);
    }
    if (streaming) {
      PCollectionTuple classified =
          documents.apply(
              step + "ClassifyEach",
              ParDo.of(new StreamClassifyFn(task, runId)).withOutputTags(ClassifyFn.ANSWERED, TupleTagList.of(ClassifyFn.ESCALATED)));
      return new TaskPart(answered(classified), escalated(classified, task), null);
    }
    PCollectionTuple embedded =
        documents.apply(
            step + "Embed",
            ParDo.of(new EmbedFn(LocalBackend.model(task), TaskType.classify, runId))
                .withOutputTags(EmbedFn.EMBEDDED, TupleTagList.of(EmbedFn.FAILED)));
    PCollection<EmbeddedDocument> vectors = embedded.get(EmbedFn.EMBEDDED).setCoder(EmbeddedDocument.coder());

    PCollection<FittedClassifier> fitted =
        vectors
            .apply(
                step + "KeyForSample",
                MapElements.into(TypeDescriptor.of(SampleVector.class))
                    .via((EmbeddedDocument d) -> SampleVector.of(d.document().getId(), d.vector())))
            .setCoder(SampleVector.coder())
            // Top needs at least one slot; FitClassifierFn keeps only adapt_sample of them.
            .apply(step + "Sample", Top.of(Math.max(1, task.local().adaptSample()), new SampleVector.SampleOrder()))
            .apply(step + "FitClassifier", ParDo.of(new FitClassifierFn(task)))
            .setCoder(SerializableCoder.of(FittedClassifier.class));
    PCollectionView<FittedClassifier> classifier = fitted.apply(step + "ClassifierView", View.asSingleton());
    PCollection<FewShotClassifier.FitReport> reports =
        fitted
            .apply(
                step + "FitReport",
                MapElements.into(TypeDescriptor.of(FewShotClassifier.FitReport.class))
                    .via((FittedClassifier f) -> f.classifier().report()))
            .setCoder(SerializableCoder.of(FewShotClassifier.FitReport.class));
    PCollectionView<Long> count = vectors.apply(step + "Count", Count.globally()).apply(step + "CountView", View.asSingleton());

    PCollectionTuple classified =
        vectors.apply(
            step + "Classify",
            ParDo.of(new ClassifyFn(task, classifier, count))
                .withSideInputs(classifier, count)
                .withOutputTags(ClassifyFn.ANSWERED, TupleTagList.of(ClassifyFn.ESCALATED)));
    PCollection<LabelledRecord> answered =
        PCollectionList.of(answered(classified))
            .and(embedded.get(EmbedFn.FAILED).setCoder(AvroCoder.of(LabelledRecord.class)))
            .apply(step + "WithFailures", Flatten.pCollections());
    return new TaskPart(answered, escalated(classified, task), reports);
  }

  /** The rows a first stage answered itself ({@link ClassifyFn#ANSWERED}). */
  private static PCollection<LabelledRecord> answered(PCollectionTuple firstStage) {
    return firstStage.get(ClassifyFn.ANSWERED).setCoder(AvroCoder.of(LabelledRecord.class));
  }

  /**
   * What a first stage passed on to the endpoint ({@link ClassifyFn#ESCALATED}) when the task is a
   * cascade; null otherwise (the output still needs its coder).
   */
  private static PCollection<KV<Document, LabelledRecord>> escalated(PCollectionTuple firstStage, JobSpec task) {
    PCollection<KV<Document, LabelledRecord>> escalated = firstStage.get(ClassifyFn.ESCALATED).setCoder(escalationCoder());
    return task.isCascade() ? escalated : null;
  }

  private static PCollection<LabelledRecord> noRows(PCollection<Document> documents, String step) {
    return documents.getPipeline().apply(step + "NoLocalRows", Create.empty(AvroCoder.of(LabelledRecord.class)));
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
