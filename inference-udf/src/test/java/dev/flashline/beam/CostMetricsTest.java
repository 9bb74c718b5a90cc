package dev.flashline.beam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.Test;

class CostMetricsTest {

  @Test
  void countsRowsTokensAndCostIncludingFractionsOfANanoDollar() {
    List<LabelledRecord> rows = new ArrayList<>();
    // 1,000 local rows at 0.4 nano-dollars each: 400 nano-dollars, although no single row reaches one.
    for (int i = 0; i < 1000; i++) {
      rows.add(row("local-" + i, Status.ok).setCostUsd(0.4e-9).setComputeSeconds(0.0015).build());
    }
    rows.add(
        row("api-1", Status.ok)
            .setInputTokens(120)
            .setCacheHitTokens(100)
            .setCacheMissTokens(20)
            .setOutputTokens(9)
            .setReasoningTokens(3)
            .setAttempts(2)
            .setCostUsd(0.000_012_5)
            .build());
    rows.add(row("api-2", Status.ok).setReusedFrom("api-1").build());
    rows.add(row("bad", Status.failed).setError("rejected: HTTP 400").setAttempts(1).build());

    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(Create.of(rows).withCoder(AvroCoder.of(LabelledRecord.class))).apply(CostMetrics.count());
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    Map<String, Long> counters = counters(result);
    assertThat(counters.keySet()).containsExactlyInAnyOrderElementsOf(CostMetrics.COUNTERS);
    assertThat(counters)
        .containsEntry(CostMetrics.RECORDS_OK, 1002L)
        .containsEntry(CostMetrics.RECORDS_FAILED, 1L)
        .containsEntry(CostMetrics.RECORDS_REUSED, 1L)
        .containsEntry(CostMetrics.REQUESTS, 3L)
        .containsEntry(CostMetrics.INPUT_TOKENS, 120L)
        .containsEntry(CostMetrics.CACHE_HIT_TOKENS, 100L)
        .containsEntry(CostMetrics.CACHE_MISS_TOKENS, 20L)
        .containsEntry(CostMetrics.OUTPUT_TOKENS, 9L)
        .containsEntry(CostMetrics.REASONING_TOKENS, 3L);
    // 12,500 + 400 nano-dollars and 1,500 ms; each DoFn instance may keep back less than one unit
    // (without the carry the local rows would count 0).
    assertThat(counters.get(CostMetrics.COST_NANO_USD)).isBetween(12_900L - 32, 12_900L);
    assertThat(counters.get(CostMetrics.COMPUTE_MILLISECONDS)).isBetween(1_500L - 32, 1_500L);
  }

  private static LabelledRecord.Builder row(String id, Status status) {
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(TaskType.classify)
        .setBackend("test")
        .setModel("test-model")
        .setStatus(status);
  }

  private static Map<String, Long> counters(PipelineResult result) {
    MetricQueryResults query =
        result.metrics().queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(JobProgress.NAMESPACE)).build());
    Map<String, Long> out = new HashMap<>();
    for (MetricResult<Long> counter : query.getCounters()) {
      out.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
    }
    return out;
  }
}
