package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.pipeline.Samples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flashline estimate} on the bundled SMS sample, and what it refuses. */
class EstimateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;

  private int estimate(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "estimate";
    System.arraycopy(args, 0, all, 1, args.length);
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
  }

  @Test
  void estimatesTheSmsSampleWithoutTheLocalModel() throws Exception {
    Path json = dir.resolve("estimate.json");
    int code = estimate("--job", Samples.JOB.toString(), "--input", Samples.JSONL.toString(), "--no-local",
        "--json", json.toString(), "--at", "2026-09-01T02:00:00Z");
    assertThat(code).as(err.toString()).isZero();
    String table = out.toString();
    assertThat(table).contains("Records read: 5,549").contains("grouped + primed [job]").contains("deepseek-v4-pro off-peak");

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("records").asLong()).isEqualTo(5549);
    assertThat(root.get("unmappable_records").asLong()).isZero();
    long distinct = root.get("distinct_documents").asLong();
    assertThat(distinct).isLessThan(5549).isEqualTo(5549 - root.get("duplicates").asLong());
    JsonNode task = root.get("tasks").get(0);
    assertThat(task.get("model").asText()).isEqualTo("deepseek-v4-flash");
    assertThat(task.get("requests").asLong()).isEqualTo(distinct);
    long prefix = task.get("prefix_tokens").asLong();
    assertThat(prefix).isGreaterThan(1000);
    JsonNode primed = root.get("scenarios").get("grouped_primed");
    assertThat(primed.get("primers").asLong()).isEqualTo(1);
    assertThat(primed.get("cache_hit_tokens").asLong()).isGreaterThanOrEqualTo(distinct * prefix);
    double flashPeak = primed.get("costs").get("deepseek-v4-flash").get("peak").asDouble();
    double flashOff = primed.get("costs").get("deepseek-v4-flash").get("off_peak").asDouble();
    assertThat(flashOff).isCloseTo(flashPeak / 2, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(primed.get("costs").get("deepseek-v4-pro").get("peak").asDouble()).isGreaterThan(flashPeak);
    double arrival = root.get("scenarios").get("arrival_order").get("costs").get("deepseek-v4-flash").get("peak").asDouble();
    double ideal = root.get("scenarios").get("ideal").get("costs").get("deepseek-v4-flash").get("peak").asDouble();
    assertThat(arrival).isGreaterThan(flashPeak);
    assertThat(ideal).isLessThanOrEqualTo(flashPeak);
    assertThat(root.get("scenarios").get("grouped_primed").get("hit_ratio").asDouble())
        .isGreaterThan(root.get("scenarios").get("arrival_order").get("hit_ratio").asDouble());
    // Not measured: the cascade rows send everything.
    assertThat(root.get("cascade").get("measured").asBoolean()).isFalse();
    assertThat(root.get("cascade").get("scenarios").get("grouped_primed").get("costs"))
        .isEqualTo(primed.get("costs"));
  }

  @Test
  void badInputAndFlagsExitWith2NamingTheProblem() throws Exception {
    assertThat(estimate("--job", Samples.JOB.toString(), "--input", dir.resolve("missing.jsonl").toString(), "--no-local")).isEqualTo(2);
    assertThat(err.toString()).contains("missing.jsonl: no such file");
    assertThat(estimate("--job", dir.resolve("nope.yaml").toString(), "--input", Samples.JSONL.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: x\ntask: classify\nlabels: [{name: a}]\n");
    assertThat(estimate("--job", bad.toString(), "--input", Samples.JSONL.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("labels");
    assertThat(estimate("--job", Samples.JOB.toString(), "--input", Samples.JSONL.toString(), "--max-in-flight", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--max-in-flight");
    Path prices = Files.writeString(dir.resolve("prices.yaml"), "schedules: []\n");
    assertThat(estimate("--job", Samples.JOB.toString(), "--input", Samples.JSONL.toString(), "--prices", prices.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("prices.yaml");
  }

  @Test
  void skipsRowsThatDoNotMapAndCountsThem() throws Exception {
    Path input = Files.writeString(dir.resolve("in.jsonl"),
        "{\"id\":\"1\",\"text\":\"hello\"}\n{\"id\":\"2\"}\n{\"id\":\"3\",\"text\":\"hello\"}\nnot json\n");
    assertThat(estimate("--job", Samples.JOB.toString(), "--input", input.toString(), "--no-local")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Records read: 4; failing to map (skipped): 2; documents: 2, distinct: 1 (1 duplicate, asked once)");
  }
}
