package dev.flashline.beam;

import dev.flashline.backend.openai.OpenAiBackend;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.CostSpec;
import dev.flashline.task.JobSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Asks the endpoint for every request of every task, paying as little as the provider allows:
 * identical documents under the same prompt are asked once ({@link PickPayersFn}, then
 * {@link ReuseAnswersFn}), and requests are sent in groups that share a prompt prefix, so the
 * provider's prefix cache keeps hitting ({@code GroupIntoBatches} keyed by prefix and shard).
 *
 * <p>Input: task name, and the document with its local-stage row (null when the endpoint is the
 * first stage). Output: one row per input.
 */
public final class AskModels extends PTransform<PCollection<KV<String, KV<Document, LabelledRecord>>>, PCollection<LabelledRecord>> {
  private final JobSpec job;
  private final PriceSchedule prices;
  private final int workers;
  private final String runId;
  private final Set<String> countProgressOf;
  private final Clock clock;
  private final boolean streaming;
  private final dev.flashline.schedule.OffPeakPolicy offPeak;

  /** @param offPeak when set, requests go out only in off-peak windows; null sends at once */
  AskModels(
      JobSpec job, PriceSchedule prices, int workers, String runId, Set<String> countProgressOf, Clock clock, boolean streaming,
      dev.flashline.schedule.OffPeakPolicy offPeak) {
    this.job = job;
    this.prices = prices;
    this.workers = workers;
    this.runId = runId;
    this.countProgressOf = Set.copyOf(countProgressOf);
    this.clock = clock;
    this.streaming = streaming;
    this.offPeak = offPeak;
  }

  static Coder<KV<String, KV<Document, LabelledRecord>>> requestCoder() {
    return KvCoder.of(StringUtf8Coder.of(), KvCoder.of(AvroCoder.of(Document.class), NullableCoder.of(AvroCoder.of(LabelledRecord.class))));
  }

  @Override
  public PCollection<LabelledRecord> expand(PCollection<KV<String, KV<Document, LabelledRecord>>> requests) {
    CostSpec cost = job.cost();
    Map<String, String> prefixKeys = new TreeMap<>();
    for (JobSpec task : job.taskJobs()) {
      if (task.usesOpenAi()) {
        prefixKeys.put(task.name(), OpenAiBackend.prefixKey(task));
      }
    }
    // Duplicates are found with a GroupByKey over the whole input, which a stream does not have;
    // there the result store (when configured) does the job across time.
    boolean dedupe = cost.reuse() && !streaming;
    PCollection<KV<String, KV<Document, LabelledRecord>>> payers = requests;
    PCollection<KV<String, KV<String, KV<Document, LabelledRecord>>>> duplicates = null;
    if (dedupe) {
      PCollectionTuple picked =
          requests
              .apply("KeyByContent", ParDo.of(new PickPayersFn.KeyByContentFn(prefixKeys)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), requestCoder()))
              .apply("SameContent", GroupByKey.create())
              .apply("PickPayers", ParDo.of(new PickPayersFn()).withOutputTags(PickPayersFn.PAYERS, TupleTagList.of(PickPayersFn.DUPLICATES)));
      payers = picked.get(PickPayersFn.PAYERS).setCoder(requestCoder());
      duplicates = picked.get(PickPayersFn.DUPLICATES).setCoder(KvCoder.of(StringUtf8Coder.of(), requestCoder()));
    }

    PCollection<KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>> groups;
    if (cost.grouping() && streaming) {
      // A stream has no end to group up to: bounded batches, flushed after max_batch_wait.
      groups =
          payers
              .apply("KeyByPrefix", ParDo.of(new KeyByPrefixFn(prefixKeys, workers)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), requestCoder()))
              .apply("GroupByPrefix", GroupIntoBatches.<String, KV<String, KV<Document, LabelledRecord>>>ofSize(cost.batchSize())
                  .withMaxBufferingDuration(org.joda.time.Duration.millis((long) (cost.maxBatchWaitSeconds() * 1000))))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(requestCoder())));
    } else if (cost.grouping()) {
      // A file job groups each prefix (and shard) whole; AskModelFn sends it in batches.
      groups =
          payers
              .apply("KeyByPrefix", ParDo.of(new KeyByPrefixFn(prefixKeys, workers)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), requestCoder()))
              .apply("GroupByPrefix", GroupByKey.create())
              .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(requestCoder())));
    } else {
      groups =
          payers
              .apply(
                  "OneByOne",
                  MapElements.into(new TypeDescriptor<KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>>() {})
                      .via((KV<String, KV<Document, LabelledRecord>> request) ->
                          KV.<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>of(request.getKey(), List.of(request))))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(requestCoder())));
    }
    PCollection<LabelledRecord> answered =
        groups
            .apply("Ask", ParDo.of(new AskModelFn(job, prices, workers, runId, countProgressOf, clock, cost.grouping(), offPeak)))
            .setCoder(AvroCoder.of(LabelledRecord.class));
    if (!dedupe) {
      return answered;
    }
    PCollection<KV<String, LabelledRecord>> keyedAnswers =
        answered
            .apply(
                "KeyAnswers",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(LabelledRecord.class)))
                    .via((LabelledRecord row) -> KV.of(PickPayersFn.payerKey(row.getTaskName(), row.getId()), row)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(LabelledRecord.class)));
    return KeyedPCollectionTuple.of(ReuseAnswersFn.ANSWERS, keyedAnswers)
        .and(ReuseAnswersFn.DUPLICATES, duplicates)
        .apply("JoinDuplicates", CoGroupByKey.create())
        .apply("ReuseAnswers", ParDo.of(new ReuseAnswersFn(runId, countProgressOf)))
        .setCoder(AvroCoder.of(LabelledRecord.class));
  }
}
