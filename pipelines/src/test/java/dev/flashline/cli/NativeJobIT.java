package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.engine.SharedModels;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flashline label --backend native} end to end: the sample job's prompt (80 examples, a
 * few thousand tokens of shared system prompt) answered by the engine inside the job's JVM on a
 * random checkpoint in the real on-disk format, with a real tokenizer beside it.
 */
class NativeJobIT {
  private static final int RECORDS = 16;

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private Path checkpoint() throws Exception {
    Path dir = temp.resolve("tiny-llama");
    RandomCheckpoint.llama(2, 64, 4, 2, 128, 129_280, Dtype.BF16, 11, 2).write(dir);
    try (InputStream tokenizer = getClass().getResourceAsStream("/dev/flashline/tokenizer/deepseek-v3/tokenizer.json")) {
      Files.copy(tokenizer, dir.resolve("tokenizer.json"));
    }
    return dir;
  }

  @Test
  void labelsEveryRecordWithOneEngineThatComputesTheSharedPromptOnce() throws Exception {
    Path input = Samples.head(Files.createDirectories(temp.resolve("in")), RECORDS);
    Path model = checkpoint();
    int loadsBefore = SharedModels.loads();

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "native", "--native-model", model.toString(), "--parallelism", "2");

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(RECORDS);
    assertThat(rows.values()).allSatisfy(row -> {
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      assertThat(row.getBackend()).isEqualTo("native");
      assertThat(row.getModel()).isEqualTo("tiny-llama");
      assertThat(row.getLabel()).isIn("spam", "ham");
      assertThat(row.getConfidence()).isBetween(0.5, 1.0);
      assertThat(row.getCacheMissTokens()).isPositive();
      assertThat(row.getCostUsd()).isPositive();
    });
    // One engine for both workers, loaded once and freed when the job ended.
    assertThat(SharedModels.loads()).isEqualTo(loadsBefore + 1);
    assertThat(SharedModels.openModels()).isZero();

    // The few-thousand-token system prompt is computed once for the whole job: nearly every
    // prompt token of every label sequence after the first comes from the prefix cache.
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.records()).isEqualTo(RECORDS);
    assertThat(report.tokens().cacheHitRatio()).isGreaterThan(0.9);
    long hits = rows.values().stream().mapToLong(LabelledRecord::getCacheHitTokens).sum();
    assertThat(report.tokens().cacheHit()).isEqualTo(hits);
    double cost = rows.values().stream().mapToDouble(LabelledRecord::getCostUsd).sum();
    assertThat(report.costUsd()).isCloseTo(cost, Offset.offset(1e-12));
    assertThat(report.computeSeconds()).isPositive();
  }

  @Test
  void aCheckpointThatCannotLoadExitsTwoNamingTheFileBeforeAnythingRuns() throws Exception {
    Path input = Samples.head(Files.createDirectories(temp.resolve("in")), 4);
    Path model = checkpoint();
    Files.delete(model.resolve("tokenizer.json"));

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "native", "--native-model", model.toString());

    assertThat(code).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains("tokenizer.json");
    assertThat(temp.resolve("out").resolve("cost-report.json")).doesNotExist();
  }

  @Test
  void aNativeModelWithoutTheNativeBackendIsAUsageError() {
    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", "x", "--output", temp.resolve("out").toString(),
        "--native-model", temp.toString());

    assertThat(code).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains("--native-model applies to a native backend; add --backend native");
  }
}
