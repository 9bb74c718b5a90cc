package dev.flashline.stream;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.schedule.DeferralRule;
import dev.flashline.schedule.OffPeakWindows;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schema.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;

/**
 * Holds non-urgent records (as the {@link DeferralRule} marks them) until the price schedule's
 * next off-peak window, or until they have waited the rule's maximum delay, whichever comes
 * first; urgent records, and every record that arrives off-peak, pass straight through.
 *
 * <p>Input is keyed by a shard of the record id (see {@link #shard}) because state and timers are
 * per key: one bag of held records and one processing-time timer per shard, set for the earliest
 * release among its records. Each record's release time is fixed when it arrives, so a restart
 * from a checkpoint releases it at the same time.
 *
 * <p>Held records hold back the committed Kafka offset (offsets are committed only after a
 * result is published, see {@link OffsetLedger}): a job stopped while records are held reads them
 * again on restart. Nothing is lost; the committed offset may lag by up to the maximum delay.
 */
final class DeferNonUrgentFn extends DoFn<KV<Integer, Document>, Document> {
  /** Shards per worker: enough that one worker's records spread over several keys. */
  static final int SHARDS_PER_WORKER = 4;

  private final DeferralRule rule;
  private final OffPeakWindows windows;
  private final WaitClock clock;

  @StateId("held")
  private final StateSpec<BagState<KV<Long, Document>>> heldSpec =
      StateSpecs.bag(KvCoder.of(VarLongCoder.of(), AvroCoder.of(Document.class)));

  /** When the release timer is set for (epoch millis, schedule time); empty when none is set. */
  @StateId("wakeAt")
  private final StateSpec<ValueState<Long>> wakeAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("release")
  private final TimerSpec releaseSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  DeferNonUrgentFn(DeferralRule rule, PriceSchedule prices, WaitClock clock) {
    this.rule = rule;
    this.windows = new OffPeakWindows(prices);
    this.clock = clock;
  }

  /** The key a record is held under. */
  static int shard(Document document, int shards) {
    return Math.floorMod(document.getId().hashCode(), shards);
  }

  static KvCoder<Integer, Document> inputCoder() {
    return KvCoder.of(VarIntCoder.of(), AvroCoder.of(Document.class));
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, Document> element,
      @StateId("held") BagState<KV<Long, Document>> held,
      @StateId("wakeAt") ValueState<Long> wakeAt,
      @TimerId("release") Timer release,
      OutputReceiver<Document> out) {
    Document document = element.getValue();
    if (!rule.deferrable(document.getMetadata())) {
      out.output(document);
      return;
    }
    Instant now = clock.now();
    Instant releaseAt = rule.releaseAt(now, windows);
    if (!releaseAt.isAfter(now)) {
      out.output(document);
      return;
    }
    held.add(KV.of(releaseAt.toEpochMilli(), document));
    Long wake = wakeAt.read();
    if (wake == null || releaseAt.toEpochMilli() < wake) {
      setTimer(release, wakeAt, releaseAt.toEpochMilli(), now);
    }
  }

  @OnTimer("release")
  public void onRelease(
      OnTimerContext context,
      @StateId("held") BagState<KV<Long, Document>> held,
      @StateId("wakeAt") ValueState<Long> wakeAt,
      @TimerId("release") Timer release) {
    // The timer fired, so at least the time it was set for has passed, whatever the clock says
    // (a test's clock may stand still while the runner's processing time moves).
    Long wake = wakeAt.read();
    long now = Math.max(wake == null ? Long.MIN_VALUE : wake, clock.now().toEpochMilli());
    List<KV<Long, Document>> keep = new ArrayList<>();
    for (KV<Long, Document> entry : held.read()) {
      if (entry.getKey() <= now) {
        // Out at the timer's output timestamp, which holds the watermark while records are held:
        // a released record is never late for a downstream window (the archive's), though those
        // windows close only once the records held in them are released.
        context.output(entry.getValue());
      } else {
        keep.add(entry);
      }
    }
    held.clear();
    wakeAt.clear();
    if (keep.isEmpty()) {
      return;
    }
    long next = Long.MAX_VALUE;
    for (KV<Long, Document> entry : keep) {
      held.add(entry);
      next = Math.min(next, entry.getKey());
    }
    setTimer(release, wakeAt, next, Instant.ofEpochMilli(now));
  }

  /** Sets the shard's one timer for {@code at} (schedule time), relative to the runner's processing time. */
  private static void setTimer(Timer release, ValueState<Long> wakeAt, long at, Instant now) {
    wakeAt.write(at);
    release.offset(Duration.millis(Math.max(1, at - now.toEpochMilli()))).setRelative();
  }
}
