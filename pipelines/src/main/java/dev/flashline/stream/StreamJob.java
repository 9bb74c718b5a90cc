package dev.flashline.stream;

import dev.flashline.backend.openai.ChatClients;
import dev.flashline.beam.CostMetrics;
import dev.flashline.beam.JobProgress;
import dev.flashline.beam.LabelDocuments;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schedule.WaitClock;
import java.io.IOException;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The streaming job: documents from a Kafka topic, labelled or summarised by the job's backend,
 * results to an output topic keyed by record id, poison messages and failures to a dead-letter
 * topic, optionally windowed Parquet archives. At-least-once: an input's offset is committed
 * only after its result is acknowledged by the broker: by the {@link OffsetLedger} of the JVM that
 * read it, or, when records move between workers, by {@link AttachSourceFn} and {@link
 * CommitOffsetsFn} in keyed state.
 */
public final class StreamJob {
  private StreamJob() {}

  /** A running stream, until {@link #stop()}. */
  public static final class Running implements AutoCloseable {
    private final String runId;
    private final PipelineResult result;
    private final OffsetLedger ledger;

    private Running(String runId, PipelineResult result, OffsetLedger ledger) {
      this.runId = runId;
      this.result = result;
      this.ledger = ledger;
    }

    public String runId() {
      return runId;
    }

    /** Messages whose result (or dead letter) is written. */
    public long finished() {
      return ledger.done();
    }

    public int pending() {
      return ledger.pending();
    }

    /** The runner's handle on the pipeline (on a Flink cluster: the submitted job). */
    public PipelineResult pipelineResult() {
      return result;
    }

    public PipelineResult.State state() {
      return result.getState();
    }

    /** Blocks until the pipeline ends by itself (a failure); streams otherwise run until stopped. */
    public PipelineResult.State waitUntilFinish() {
      return result.waitUntilFinish();
    }

    /** Stops the stream. Results written so far have their offsets committed; the rest is read again next time. */
    public void stop() {
      try {
        if (!result.getState().isTerminal()) {
          result.cancel();
        }
      } catch (IOException | UnsupportedOperationException e) {
        // Already stopping or stopped.
      } finally {
        JobProgress.forget(runId);
        ChatClients.closeRun(runId);
        KafkaClients.closeRun(runId, ledger.committable());
        OffsetLedger.forget(runId);
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  public static Running start(StreamRequest request) {
    String runId = UUID.randomUUID().toString();
    OffsetLedger ledger = OffsetLedger.of(runId);
    Pipeline pipeline =
        Pipeline.create(
            request.runner().streamingOptions(
                request.job().name(), request.parallelism(), request.flinkMaster(), request.checkpointInterval().toMillis()));
    build(pipeline, request, runId);
    PipelineResult result = pipeline.run();
    return new Running(runId, result, ledger);
  }

  static void build(Pipeline pipeline, StreamRequest request, String runId) {
    PCollectionTuple decoded =
        pipeline
            .apply(
                "ReadKafka",
                KafkaIO.<String, byte[]>read()
                    .withBootstrapServers(request.kafka().bootstrapServers())
                    .withTopic(request.inputTopic())
                    .withKeyDeserializer(StringDeserializer.class)
                    .withValueDeserializer(ByteArrayDeserializer.class)
                    .withConsumerConfigUpdates(request.kafka().consumer()))
            .apply(
                "Decode",
                ParDo.of(new DecodeMessagesFn(request, runId))
                    .withOutputTags(
                        DecodeMessagesFn.DOCUMENTS,
                        TupleTagList.of(DecodeMessagesFn.DEAD_LETTERS).and(DecodeMessagesFn.SOURCES).and(DecodeMessagesFn.READS)));
    PCollection<Document> documents = decoded.get(DecodeMessagesFn.DOCUMENTS).setCoder(AvroCoder.of(Document.class));
    decoded.get(DecodeMessagesFn.SOURCES).setCoder(sourceOrRowCoder());
    decoded.get(DecodeMessagesFn.READS).setCoder(offsetEventCoder());
    if (request.deferral() != null) {
      documents = deferNonUrgent(documents, request, WaitClock.system());
    }
    PCollection<LabelledRecord> rows =
        documents
            .apply(
                "Label",
                LabelDocuments.of(request.job())
                    .withRunId(runId)
                    .withPrices(request.prices())
                    .withWorkers(request.parallelism())
                    .streaming())
            .get(LabelDocuments.RECORDS);
    rows.apply("CostMetrics", CostMetrics.count());
    PCollection<SourcedRow> sourced = request.offsetsTrackedWhereRead()
        ? rows.apply("FindMessages", ParDo.of(new LedgerLookupFn(runId))).setCoder(SerializableCoder.of(SourcedRow.class))
        : attachSources(decoded.get(DecodeMessagesFn.SOURCES), rows);
    PCollection<OutgoingMessage> results =
        sourced.apply("ResultMessages", ParDo.of(new ResultMessagesFn(request)));
    PCollection<KV<String, OffsetEvent>> finished =
        PCollectionList.of(results)
            .and(decoded.get(DecodeMessagesFn.DEAD_LETTERS))
            .apply("AllMessages", Flatten.pCollections())
            .apply("Publish", ParDo.of(new PublishFn(request, runId)))
            .setCoder(offsetEventCoder());
    if (!request.offsetsTrackedWhereRead()) {
      PCollectionList.of(decoded.get(DecodeMessagesFn.READS))
          .and(finished)
          .apply("ReadAndFinished", Flatten.pCollections())
          .apply("CommitOffsets", ParDo.of(new CommitOffsetsFn(runId, request.kafka())));
    }
    if (request.archive() != null) {
      archive(rows, request);
    }
  }

  /** Each row with the message it answers, joined by record id in keyed state (records read on one worker, answered on another). */
  private static PCollection<SourcedRow> attachSources(PCollection<KV<String, SourceOrRow>> sources, PCollection<LabelledRecord> rows) {
    PCollection<KV<String, SourceOrRow>> keyedRows =
        rows.apply(
                "KeyRowsById",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(SourceOrRow.class)))
                    .via((LabelledRecord row) -> KV.of(row.getId(), SourceOrRow.row(row))))
            .setCoder(sourceOrRowCoder());
    return PCollectionList.of(sources)
        .and(keyedRows)
        .apply("MessagesAndRows", Flatten.pCollections())
        .apply("AttachMessages", ParDo.of(new AttachSourceFn()))
        .setCoder(SerializableCoder.of(SourcedRow.class));
  }

  private static KvCoder<String, SourceOrRow> sourceOrRowCoder() {
    return KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(SourceOrRow.class));
  }

  private static KvCoder<String, OffsetEvent> offsetEventCoder() {
    return KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(OffsetEvent.class));
  }

  /** Holds records marked non-urgent until off-peak (or their maximum delay), before they are labelled. */
  static PCollection<Document> deferNonUrgent(PCollection<Document> documents, StreamRequest request, WaitClock clock) {
    int shards = request.parallelism() * DeferNonUrgentFn.SHARDS_PER_WORKER;
    return documents
        .apply(
            "KeyForDeferral",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptor.of(Document.class)))
                .via((Document d) -> KV.of(DeferNonUrgentFn.shard(d, shards), d)))
        .setCoder(DeferNonUrgentFn.inputCoder())
        .apply("DeferNonUrgent", ParDo.of(new DeferNonUrgentFn(request.deferral(), request.prices(), clock)))
        .setCoder(AvroCoder.of(Document.class));
  }

  /** Windowed Parquet copies of the rows: one set of files per window, written when the window closes. */
  private static void archive(PCollection<LabelledRecord> rows, StreamRequest request) {
    Schema schema = LabelledRecord.getClassSchema();
    rows.apply(
            "ArchiveWindows",
            Window.<LabelledRecord>into(FixedWindows.of(org.joda.time.Duration.millis(request.archiveWindow().toMillis()))))
        .apply(
            "ArchiveParquet",
            FileIO.<LabelledRecord>write()
                .via(Contextful.fn(record -> (GenericRecord) record), ParquetIO.sink(schema).withAvroDataModel(SpecificData.get()))
                .to(request.archive())
                .withNaming(new ArchiveNaming())
                .withNumShards(1));
  }
}
