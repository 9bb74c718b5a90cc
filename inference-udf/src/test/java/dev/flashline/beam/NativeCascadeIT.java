package dev.flashline.beam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.engine.NativeBackendTest;
import dev.flashline.backend.engine.SharedModels;
import dev.flashline.backend.openai.Answer;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.schema.Charge;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cascade whose first stage is the native engine, in a Beam pipeline: what the engine is sure
 * enough of stays, the rest goes on to the endpoint stage with its native charge kept, in a batch
 * job and a stream alike.
 */
class NativeCascadeIT {
  @TempDir Path temp;

  private ChatCompletionsServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    assertThat(ChatClients.open()).isZero();
  }

  private JobSpec job(Path model, double acceptConfidence) throws Exception {
    server = ChatCompletionsServer.start(ServerConfig.defaults().withAnswerer(request -> {
      String label = request.document().toLowerCase(Locale.ROOT).contains("prize") ? "spam" : "ham";
      return Answer.of("{\"label\": \"" + label + "\", \"confidence\": 0.9}");
    }));
    return JobSpecLoader.parse("""
        name: cascade
        task: classify
        labels: [{name: spam, description: unsolicited offers}, {name: ham, description: ordinary messages}]
        native: {model: '%s', kv_blocks: 512}
        openai: {endpoint: '%s', model: deepseek-v4-flash, api_key_env: FLASHLINE_TEST_NO_SUCH_VAR, request_timeout_seconds: 30}
        cascade:
          - {stage: native, accept_confidence: %s}
          - {stage: flash}
        """.formatted(model, server.baseUri(), acceptConfidence), "test");
  }

  private static List<Document> documents() {
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      out.add(Document.newBuilder().setId("d" + i).setText(i % 3 == 0 ? "claim your prize number " + i : "see you at " + i).build());
    }
    return out;
  }

  /** The rows the last pipeline wrote; PAssert runs on a serialized copy of its function, so they land here. */
  private static final List<LabelledRecord> SEEN = java.util.Collections.synchronizedList(new ArrayList<>());

  private static List<LabelledRecord> run(JobSpec job, boolean streaming) {
    SEEN.clear();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Document> input = p.apply(Create.of(documents()).withCoder(AvroCoder.of(Document.class)));
    LabelDocuments label = LabelDocuments.of(job);
    PCollection<LabelledRecord> rows = input.apply(streaming ? label.streaming() : label).get(LabelDocuments.RECORDS);
    PAssert.that(rows).satisfies(all -> {
      all.forEach(SEEN::add);
      return null;
    });
    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    return new ArrayList<>(SEEN);
  }

  @Test
  void recordsBelowTheNativeBarGoToTheEndpointWithTheirNativeChargeKept() throws Exception {
    Path model = NativeBackendTest.model(temp.resolve("tiny-llama"), 129_280);
    // A bar of 1: a probability computed from a softmax is below it, so every record goes on to
    // the endpoint stage.
    JobSpec job = job(model, 1.0);
    for (boolean streaming : new boolean[] {false, true}) {
      int before = server.log().size();
      List<LabelledRecord> rows = run(job, streaming);
      assertThat(rows).as("streaming %s", streaming).hasSize(12);
      assertThat(rows).allSatisfy(row -> {
        assertThat(row.getStatus()).isEqualTo(Status.ok);
        assertThat(row.getStage()).isEqualTo("flash");
        assertThat(row.getLabel()).isEqualTo(row.getId().matches("d(0|3|6|9)") ? "spam" : "ham");
        assertThat(row.getCharges()).extracting(Charge::getStage).contains("native", "flash");
        Charge first = row.getCharges().get(0);
        assertThat(first.getBackend()).isEqualTo("native");
        assertThat(first.getComputeSeconds()).isPositive();
        assertThat(row.getCostUsd()).isCloseTo(row.getCharges().stream().mapToDouble(Charge::getCostUsd).sum(), org.assertj.core.data.Offset.offset(1e-15));
      });
      assertThat(server.log().size() - before).as("requests, streaming %s", streaming).isGreaterThanOrEqualTo(12);
    }
    assertThat(SharedModels.openModels()).isZero();
  }

  @Test
  void recordsAtOrAboveTheBarStayWithTheEngineAndNeverLeaveTheMachine() throws Exception {
    Path model = NativeBackendTest.model(temp.resolve("tiny-llama"), 129_280);
    // With two labels the best one's probability is at least 0.5: every record meets the bar.
    List<LabelledRecord> rows = run(job(model, 0.5), false);
    assertThat(rows).hasSize(12).allSatisfy(row -> {
      assertThat(row.getStage()).isEqualTo("native");
      assertThat(row.getBackend()).isEqualTo("native");
      assertThat(row.getCharges()).hasSize(1);
    });
    assertThat(server.log()).isEmpty();
  }
}
