package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import java.nio.charset.StandardCharsets;
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
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** Rows find their messages by record id whichever arrives first, in the order messages were read. */
class AttachSourceFnTest {
  private static final Map<String, List<String>> OUT = new ConcurrentHashMap<>();

  private static KV<String, SourceOrRow> message(String id, long offset, int rows) {
    return KV.of(id, SourceOrRow.message(new KafkaPosition("in", 0, offset), ("payload " + offset).getBytes(StandardCharsets.UTF_8), rows));
  }

  private static KV<String, SourceOrRow> row(String id, String task) {
    LabelledRecord row = LabelledRecord.newBuilder().setId(id).setTask(TaskType.classify).setTaskName(task).setLabel("ham")
        .setBackend("openai").setModel("m").setStatus(Status.ok).setCostUsd(0.0).build();
    return KV.of(id, SourceOrRow.row(row));
  }

  private static List<String> run(TestStream<KV<String, SourceOrRow>> events) {
    String run = UUID.randomUUID().toString();
    OUT.put(run, Collections.synchronizedList(new ArrayList<>()));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--blockOnRun=true").create());
    pipeline.apply(events)
        .apply(ParDo.of(new AttachSourceFn()))
        .setCoder(SerializableCoder.of(SourcedRow.class))
        .apply(ParDo.of(new Collect(run)));
    pipeline.run().waitUntilFinish();
    return OUT.get(run);
  }

  private static TestStream.Builder<KV<String, SourceOrRow>> stream() {
    return TestStream.create(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(SourceOrRow.class)));
  }

  private static final class Collect extends DoFn<SourcedRow, Void> {
    private final String run;

    Collect(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element SourcedRow r) {
      OUT.get(run).add(r.row().getId() + "/" + r.row().getTaskName() + " <- " + (r.position() == null ? "?" : r.position().offset())
          + " " + new String(r.payload(), StandardCharsets.UTF_8) + (r.last() ? " last" : ""));
    }
  }

  @Test
  void aRowMeetsItsMessageWhicheverComesFirst() {
    List<String> out = run(stream()
        .addElements(message("a", 0, 1))
        .addElements(row("b", "t"))
        .addElements(row("a", "t"))
        .addElements(message("b", 1, 1))
        .advanceWatermarkToInfinity());
    assertThat(out).containsExactlyInAnyOrder("a/t <- 0 payload 0 last", "b/t <- 1 payload 1 last");
  }

  @Test
  void aMessageOfSeveralTasksIsFinishedByItsLastRowAndAnIdSentTwiceIsAnsweredInOrder() {
    List<String> out = run(stream()
        .addElements(message("a", 3, 2))
        .addElements(message("a", 7, 1))
        .addElements(row("a", "topic"))
        .addElements(row("a", "spam"))
        .addElements(row("a", "again"))
        .advanceWatermarkToInfinity());
    assertThat(out).containsExactly("a/topic <- 3 payload 3", "a/spam <- 3 payload 3 last", "a/again <- 7 payload 7 last");
  }
}
