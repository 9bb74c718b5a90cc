package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A partition's offset is committed only up to its oldest message not yet finished, however the
 * reads and the finishes (which come from other workers) interleave.
 */
class CommitOffsetsFnTest {
  private static final Map<String, List<String>> COMMITS = new ConcurrentHashMap<>();

  @Test
  void progressCommitsTheOldestUnfinishedOrOnePastTheNewest() {
    CommitOffsetsFn.Progress p = new CommitOffsetsFn.Progress();
    assertThat(p.committable()).as("nothing read").isEqualTo(-1);
    p.read(10);
    p.read(11);
    p.read(12);
    assertThat(p.committable()).isEqualTo(10);
    p.done(11);
    assertThat(p.committable()).as("10 is still in flight").isEqualTo(10);
    p.done(10);
    assertThat(p.committable()).isEqualTo(12);
    // A finish that overtakes its read: 13 must not count as in flight when its read arrives.
    p.done(13);
    p.done(12);
    assertThat(p.committable()).isEqualTo(13);
    p.read(13);
    assertThat(p.committable()).isEqualTo(14);
    // A message finished again (read again after a restore) changes nothing.
    p.done(12);
    assertThat(p.committable()).isEqualTo(14);
    assertThat(p.finishedEarly).isEmpty();
  }

  private static KV<String, OffsetEvent> read(int partition, long offset) {
    return KV.of("in/" + partition, OffsetEvent.read(offset));
  }

  private static KV<String, OffsetEvent> done(int partition, long offset) {
    return KV.of("in/" + partition, OffsetEvent.done(offset));
  }

  @Test
  void eachPartitionCommitsAtMostOnceASecondAndNeverPastAMessageInFlight() {
    String run = UUID.randomUUID().toString();
    COMMITS.put(run, Collections.synchronizedList(new ArrayList<>()));
    TestStream<KV<String, OffsetEvent>> events =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(OffsetEvent.class)))
            .addElements(read(0, 0), read(0, 1), read(1, 5))
            .addElements(done(0, 1), done(1, 5))
            .advanceProcessingTime(Duration.standardSeconds(2))
            .addElements(done(0, 0), read(0, 2))
            .advanceProcessingTime(Duration.standardSeconds(2))
            .addElements(done(0, 2))
            .advanceProcessingTime(Duration.standardSeconds(2))
            .advanceWatermarkToInfinity();
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--blockOnRun=true").create());
    pipeline.apply(events).apply(ParDo.of(new CommitOffsetsFn((partition, offset) -> COMMITS.get(run).add(partition + "@" + offset))));
    pipeline.run().waitUntilFinish();

    assertThat(COMMITS.get(run)).containsExactlyInAnyOrder("in-0@0", "in-1@6", "in-0@2", "in-0@3");
  }
}
