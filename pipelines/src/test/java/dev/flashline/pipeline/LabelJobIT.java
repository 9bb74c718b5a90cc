package dev.flashline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.report.CostReport;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file job end to end on both runners: same rows, a complete report, nothing leaked. */
class LabelJobIT {
  private static final int RECORDS = 240;

  @TempDir Path temp;

  @Test
  void directAndFlinkProduceTheSameLabels() throws Exception {
    Path input = Samples.head(temp, RECORDS);
    int modelsBefore = SharedEncoder.openModels();

    CostReport direct = run(input, temp.resolve("direct"), RunnerChoice.DIRECT);
    CostReport flink = run(input, temp.resolve("flink"), RunnerChoice.FLINK);

    Map<String, LabelledRecord> a = Outputs.labels(temp.resolve("direct"));
    Map<String, LabelledRecord> b = Outputs.labels(temp.resolve("flink"));
    assertThat(a).hasSize(RECORDS);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String id : a.keySet()) {
      LabelledRecord x = a.get(id);
      LabelledRecord y = b.get(id);
      assertThat(y.getStatus()).as(id).isEqualTo(x.getStatus());
      assertThat(y.getLabel()).as(id).isEqualTo(x.getLabel());
      assertThat(y.getConfidence()).as(id).isCloseTo(x.getConfidence(), within(1e-9));
      assertThat(y.getInputTokens()).as(id).isEqualTo(x.getInputTokens());
      assertThat(y.getIsExample()).as(id).isEqualTo(x.getIsExample());
    }

    for (CostReport report : new CostReport[] {direct, flink}) {
      assertThat(report.records()).isEqualTo(RECORDS);
      assertThat(report.ok()).isEqualTo(RECORDS);
      assertThat(report.costUsd()).isPositive();
      assertThat(report.costPer1000RecordsUsd()).isCloseTo(report.costUsd() * 1000 / RECORDS, within(1e-12));
      assertThat(report.recordsPerSecond()).isPositive();
      assertThat(report.quality().evaluated() + report.quality().excludedExamples()).isEqualTo(RECORDS);
      assertThat(report.labels().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
    }
    assertThat(flink.runner()).isEqualTo("flink");
    assertThat(direct.labels()).isEqualTo(flink.labels());

    // The cost report on disk says what the returned one says, and the rows add up to it.
    CostReport onDisk = CostReport.read(temp.resolve("direct").resolve("cost-report.json"));
    assertThat(onDisk.records()).isEqualTo(RECORDS);
    double rowCost = a.values().stream().mapToDouble(LabelledRecord::getCostUsd).sum();
    assertThat(onDisk.costUsd()).isCloseTo(rowCost, within(1e-12));
    assertThat(a.values()).allSatisfy(row -> {
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      assertThat(row.getCostUsd()).isPositive();
      assertThat(row.getComputeSeconds()).isPositive();
      assertThat(row.getPriceSchedule()).startsWith("cpu-hour@");
    });

    // Scratch files are gone and every model lease was returned.
    assertThat(temp.resolve("direct").resolve(".flashline")).doesNotExist();
    assertThat(SharedEncoder.openModels()).isEqualTo(modelsBefore);
  }

  @Test
  void rerunIntoTheSameDirectoryReplacesThePreviousOutput() throws Exception {
    Path input = Samples.head(temp, 30);
    Path out = temp.resolve("out");
    run(input, out, RunnerChoice.DIRECT);
    Files.writeString(out.resolve("notes.txt"), "mine");
    Files.writeString(out.resolve("labels-00007-of-00009.parquet"), "stale shard from an older run");

    run(input, out, RunnerChoice.DIRECT);

    assertThat(Outputs.labels(out)).hasSize(30);
    assertThat(out.resolve("labels-00007-of-00009.parquet")).doesNotExist();
    assertThat(out.resolve("notes.txt")).hasContent("mine");
  }

  private static CostReport run(Path input, Path output, RunnerChoice runner) throws Exception {
    LabelRequest request = new LabelRequest(Samples.job(), input, output, runner, 2, null, false);
    return LabelJob.run(request, new PrintWriter(new StringWriter()));
  }
}
