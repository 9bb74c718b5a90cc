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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Asks the endpoint for every request of every task, paying as little as the provider allows:
 * requests are sent in groups that share a prompt prefix, so the provider's prefix cache keeps
 * hitting, and the groups are sharded by document content, so identical documents under the same
 * prompt meet in one group and {@link AskModelFn} asks them once. A file job groups each prefix
 * shard whole ({@code GroupByKey}); a stream groups in bounded batches ({@code GroupIntoBatches}
 * by size and time).
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
    // Several groups per worker keep a file job's groups (and their duplicate maps) small.
    int shards = streaming ? workers : workers * 4;
    Map<String, String> prefixKeys = new TreeMap<>();
    for (JobSpec task : job.taskJobs()) {
      if (task.usesOpenAi()) {
        prefixKeys.put(task.name(), OpenAiBackend.prefixKey(task));
      }
    }
    PCollection<KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>> groups;
    if (cost.grouping()) {
      PCollection<KV<String, KV<String, KV<Document, LabelledRecord>>>> keyed =
          requests
              .apply("KeyByPrefix", ParDo.of(new KeyByPrefixFn(prefixKeys, shards)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), requestCoder()));
      groups =
          streaming
              // A stream has no end to group up to: bounded batches, flushed after max_batch_wait.
              ? keyed.apply("GroupByPrefix", GroupIntoBatches.<String, KV<String, KV<Document, LabelledRecord>>>ofSize(cost.batchSize())
                  .withMaxBufferingDuration(org.joda.time.Duration.millis((long) (cost.maxBatchWaitSeconds() * 1000))))
              // A file job groups each prefix (and shard) whole; AskModelFn sends it in batches.
              : keyed.apply("GroupByPrefix", GroupByKey.create());
      groups.setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(requestCoder())));
    } else {
      groups =
          requests
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
    return answered;
  }
}
