package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.schedule.DeferralRule;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schema.Document;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/**
 * The deferral step on the DirectRunner, driven by a TestStream whose processing time the test
 * moves. Urgent "marker" records pass straight through, so the order in which records come out
 * shows when each held record was released relative to the moves of the clock.
 */
class DeferNonUrgentFnTest {
  /** Record order per test run (the DoFns run in copies, so they write to a shared list). */
  private static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();

  // Tuesday 2026-12-01 03:00 UTC: peak under the shipped DeepSeek prices until 04:00.
  private static final Instant PEAK = Instant.parse("2026-12-01T03:00:00Z");

  private static Document doc(String id, String urgent) {
    Document.Builder builder = Document.newBuilder().setId(id).setText("text of " + id);
    builder.setMetadata(urgent == null ? Map.of() : Map.of("urgent", urgent));
    return builder.build();
  }

  private static List<String> run(String name, Instant now, Duration maxDefer, TestStream<Document> events) {
    SEEN.put(name, Collections.synchronizedList(new ArrayList<>()));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--blockOnRun=true").create());
    StreamRequest request =
        StreamRequest.of(dev.flashline.pipeline.Samples.job(), "localhost:9", "in", "out")
            .withRunner(dev.flashline.pipeline.RunnerChoice.DIRECT, 1, null)
            .withDeferral(new DeferralRule("urgent", maxDefer));
    PCollection<Document> released =
        StreamJob.deferNonUrgent(pipeline.apply(events), request, WaitClock.of(Clock.fixed(now, ZoneOffset.UTC)));
    released.apply(ParDo.of(new Record(name)));
    pipeline.run().waitUntilFinish();
    return SEEN.get(name);
  }

  private static final class Record extends DoFn<Document, Void> {
    private final String name;

    Record(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element Document document) {
      SEEN.get(name).add(document.getId());
    }
  }

  private static TestStream.Builder<Document> stream() {
    return TestStream.create(AvroCoder.of(Document.class));
  }

  @Test
  void nonUrgentRecordsWaitForTheOffPeakWindowAndUrgentOnesPass() {
    TestStream<Document> events =
        stream()
            .addElements(doc("held", "false"), doc("unmarked", null))
            .addElements(doc("urgent-1", "true"))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(59))
            .addElements(doc("urgent-2", "yes"))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(2)) // past 04:00
            .addElements(doc("urgent-3", "true"))
            .advanceWatermarkToInfinity();

    List<String> order = run("off-peak", PEAK, Duration.ofHours(6), events);

    assertThat(order).containsExactlyInAnyOrder("held", "unmarked", "urgent-1", "urgent-2", "urgent-3");
    assertThat(order.indexOf("held")).isGreaterThan(order.indexOf("urgent-2")).isLessThan(order.indexOf("urgent-3"));
    assertThat(order.indexOf("unmarked")).isLessThan(order.indexOf("urgent-2"));
  }

  @Test
  void aRecordIsReleasedAtItsMaximumDelayWhenThatComesFirst() {
    TestStream<Document> events =
        stream()
            .addElements(doc("held", "LOW"))
            .addElements(doc("urgent-1", "true"))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(19))
            .addElements(doc("urgent-2", "true"))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(2)) // past the 20-minute limit
            .addElements(doc("urgent-3", "true"))
            .advanceWatermarkToInfinity();

    List<String> order = run("max-delay", PEAK, Duration.ofMinutes(20), events);

    assertThat(order).containsExactlyInAnyOrder("held", "urgent-1", "urgent-2", "urgent-3");
    assertThat(order.indexOf("held")).isGreaterThan(order.indexOf("urgent-2")).isLessThan(order.indexOf("urgent-3"));
  }

  @Test
  void offPeakArrivalsAreNotHeld() {
    TestStream<Document> events =
        stream()
            .addElements(doc("not-held", "false"))
            .addElements(doc("urgent-1", "true"))
            .advanceWatermarkToInfinity();

    List<String> order = run("in-window", Instant.parse("2026-12-05T12:00:00Z"), Duration.ofHours(6), events);

    assertThat(order).containsExactly("not-held", "urgent-1");
  }
}
