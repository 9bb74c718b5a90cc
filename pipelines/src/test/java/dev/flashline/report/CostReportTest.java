package dev.flashline.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostReportTest {
  @TempDir Path temp;

  @Test
  void readsBackWhatItWrote() throws Exception {
    for (CostReport report : new CostReport[] {Reports.cascade(), Reports.localOnly()}) {
      Path file = temp.resolve(report.job() + ".json");
      report.write(file);
      assertThat(CostReport.read(file)).isEqualTo(report);
    }
  }

  @Test
  void newFieldsAreSnakeCase() throws Exception {
    Path file = temp.resolve("cost-report.json");
    Reports.cascade().write(file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());

    assertThat(json.get("attempts").asLong()).isEqualTo(412);
    assertThat(json.get("billed_requests").asLong()).isEqualTo(398);
    assertThat(json.get("failure_reasons").get("insufficient_balance").asLong()).isEqualTo(12);
    assertThat(json.get("tokens").has("cache_hit_ratio")).isTrue();
    assertThat(json.get("pricing").get("usd_per_cpu_hour").asDouble()).isEqualTo(0.05);
    assertThat(json.get("by_model").get(1).get("cache_hit_tokens").asLong()).isEqualTo(130000);
    assertThat(json.get("by_model").get(1).get("cache_miss_tokens").asLong()).isEqualTo(50000);

    JsonNode stage = json.get("stages").get(1);
    assertThat(fieldNames(stage))
        .containsExactly(
            "stage", "records_answered", "ok", "failed", "cost_usd_of_answered_records", "spend_usd_at_stage", "requests_at_stage");
    assertThat(stage.get("stage").asText()).isEqualTo("flash");

    JsonNode price = json.get("prices_applied").get(1);
    assertThat(fieldNames(price))
        .containsExactly(
            "backend",
            "model",
            "price_tier",
            "price_schedule",
            "usd_per_million_cache_hit",
            "usd_per_million_cache_miss",
            "usd_per_million_output",
            "requests",
            "cache_hit_tokens",
            "cache_miss_tokens",
            "output_tokens",
            "reasoning_tokens",
            "compute_seconds",
            "cost_usd");
    assertThat(price.get("price_tier").asText()).isEqualTo("peak");
    assertThat(price.get("usd_per_million_output").asDouble()).isEqualTo(1.1);
  }

  @Test
  void nullsAreLeftOut() throws Exception {
    Path file = temp.resolve("cost-report.json");
    Reports.localOnly().write(file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());

    assertThat(json.has("stages")).isFalse();
    assertThat(json.has("quality")).isFalse();
    assertThat(json.get("prices_applied").get(0).has("usd_per_million_cache_hit")).isFalse();
    assertThat(json.get("prices_applied").get(0).get("cost_usd").asDouble()).isEqualTo(0.0000125);
  }

  @Test
  void readsReportsWrittenBeforeChargesAndWithoutPricing() throws Exception {
    Path file = temp.resolve("old.json");
    Files.writeString(
        file,
        """
        {"job": "old", "task": "classify", "records": 3, "ok": 3, "cost_usd": 0.001,
         "by_model": [{"backend": "local", "model": "minilm", "records": 3, "cost_usd": 0.001}]}
        """);

    CostReport report = CostReport.read(file);

    assertThat(report.records()).isEqualTo(3);
    assertThat(report.attempts()).isZero();
    assertThat(report.pricing()).isNull();
    assertThat(report.stages()).isNull();
    assertThat(report.byModel().get(0).cacheHitTokens()).isZero();
  }

  private static java.util.List<String> fieldNames(JsonNode node) {
    java.util.List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
