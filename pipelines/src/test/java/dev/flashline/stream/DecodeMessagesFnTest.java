package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.pipeline.Samples;
import dev.flashline.schedule.DeferralRule;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a run's progress is kept: in the reading JVM's ledger only when that JVM also writes the
 * results. On a Flink cluster whose job shuffles records, a record answered on another TaskManager
 * would stay "in flight" in that ledger forever, so the messages go to the keyed steps instead.
 */
class DecodeMessagesFnTest {
  /** Per run: what came out of the decoder besides the documents, one line each. */
  private static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();
  private final List<String> runs = new ArrayList<>();

  @AfterEach
  void forgetRuns() {
    runs.forEach(OffsetLedger::forget);
  }

  private static JobSpec openAiJob(boolean grouping) throws Exception {
    return JobSpecLoader.parse(Samples.spamHamOpenAiJob("tickets", "http://localhost:9/v1", null) + """
        cost:
          grouping: %s
        """.formatted(grouping), "tickets.yaml");
  }

  @Test
  void onOneMachineOrAClusterWithoutAShuffleTheReadingJvmTracksTheRun() throws Exception {
    StreamRequest local = StreamRequest.of(openAiJob(true), "localhost:9", "in", "out").withRunner(RunnerChoice.FLINK, 2, null);
    assertThat(local.shufflesRecords()).isTrue();
    assertThat(local.offsetsTrackedWhereRead()).as("Flink embedded: one JVM").isTrue();
    assertThat(local.withRunner(RunnerChoice.DIRECT, 2, null).offsetsTrackedWhereRead()).isTrue();

    StreamRequest chained = StreamRequest.of(openAiJob(false), "localhost:9", "in", "out").withRunner(RunnerChoice.FLINK, 4, "localhost:8081");
    assertThat(chained.shufflesRecords()).isFalse();
    assertThat(chained.offsetsTrackedWhereRead()).as("a cluster, read to publish chained in one task").isTrue();
    assertThat(StreamRequest.of(Samples.job(), "localhost:9", "in", "out").withRunner(RunnerChoice.FLINK, 4, "[auto]").offsetsTrackedWhereRead())
        .as("the local backend never shuffles").isTrue();
  }

  @Test
  void onAClusterThatShufflesRecordsNothingIsTrackedWhereTheyAreRead() throws Exception {
    StreamRequest grouped = StreamRequest.of(openAiJob(true), "localhost:9", "in", "out").withRunner(RunnerChoice.FLINK, 4, "localhost:8081");
    assertThat(grouped.offsetsTrackedWhereRead()).isFalse();
    StreamRequest deferred = StreamRequest.of(Samples.job(), "localhost:9", "in", "out").withRunner(RunnerChoice.FLINK, 4, "[auto]")
        .withDeferral(new DeferralRule("urgent", Duration.ofHours(1)));
    assertThat(deferred.offsetsTrackedWhereRead()).isFalse();

    assertThat(decode(grouped)).as("ledger entries, keyed elements, dead letters finishing a position")
        .containsExactlyInAnyOrder("pending 0", "read in/0 0", "read in/0 1", "source a in/0@0 rows 1", "dead letter finishes in/0@1");
    StreamRequest oneJvm = grouped.withRunner(RunnerChoice.DIRECT, 1, null);
    assertThat(decode(oneJvm)).containsExactlyInAnyOrder("pending 2", "dead letter finishes in/0@1");
  }

  /** Decodes one good and one poison message; says what the run's ledger holds and what else the decoder put out. */
  private List<String> decode(StreamRequest request) {
    String runId = UUID.randomUUID().toString();
    runs.add(runId);
    SEEN.put(runId, Collections.synchronizedList(new ArrayList<>()));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--blockOnRun=true").create());
    List<KafkaRecord<String, byte[]>> messages = List.of(
        message(0, "a", "{\"id\": \"a\", \"text\": \"hello there\"}"),
        message(1, "b", "not json"));
    PCollectionTuple decoded = pipeline
        .apply(Create.of(messages).withCoder(KafkaRecordCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
        .apply(ParDo.of(new DecodeMessagesFn(request, runId))
            .withOutputTags(DecodeMessagesFn.DOCUMENTS, TupleTagList.of(DecodeMessagesFn.DEAD_LETTERS).and(DecodeMessagesFn.SOURCES).and(DecodeMessagesFn.READS)));
    decoded.get(DecodeMessagesFn.DEAD_LETTERS).apply(ParDo.of(new RecordFinishes(runId)));
    decoded.get(DecodeMessagesFn.READS).setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(OffsetEvent.class)))
        .apply(ParDo.of(new RecordKeyed<OffsetEvent>(runId)));
    decoded.get(DecodeMessagesFn.SOURCES).setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(SourceOrRow.class)))
        .apply(ParDo.of(new RecordKeyed<SourceOrRow>(runId)));
    pipeline.run().waitUntilFinish();
    List<String> out = new ArrayList<>();
    out.add("pending " + OffsetLedger.of(runId).pending());
    out.addAll(SEEN.get(runId));
    return out;
  }

  private static KafkaRecord<String, byte[]> message(long offset, String key, String value) {
    return new KafkaRecord<>("in", 0, offset, 0L, KafkaTimestampType.CREATE_TIME, new RecordHeaders(), key,
        value.getBytes(StandardCharsets.UTF_8));
  }

  private static final class RecordKeyed<T> extends DoFn<KV<String, T>, Void> {
    private final String runId;

    RecordKeyed(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element KV<String, T> element) {
      String text = element.getValue() instanceof OffsetEvent e
          ? (e.done() ? "done " : "read ") + element.getKey() + " " + e.offset()
          : "source " + element.getKey() + " " + describe((SourceOrRow) element.getValue());
      SEEN.get(runId).add(text);
    }

    private static String describe(SourceOrRow source) {
      KafkaPosition p = source.position();
      return p.topic() + "/" + p.partition() + "@" + p.offset() + " rows " + source.rows();
    }
  }

  private static final class RecordFinishes extends DoFn<OutgoingMessage, Void> {
    private final String runId;

    RecordFinishes(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element OutgoingMessage message) {
      KafkaPosition p = message.finishes();
      SEEN.get(runId).add("dead letter finishes " + (p == null ? "null" : p.topic() + "/" + p.partition() + "@" + p.offset()));
    }
  }
}
