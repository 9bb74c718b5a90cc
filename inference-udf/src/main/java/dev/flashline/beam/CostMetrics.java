package dev.flashline.beam;

import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Counts every finished row into Beam counters in the {@value JobProgress#NAMESPACE} namespace:
 * records, tokens, cache hits and cost. On Flink these become operator metrics that the
 * Prometheus reporter exports as {@code flink_taskmanager_job_task_operator_flashline_<name>}
 * (docs/deploy.md), so a running job's spend and cache-hit ratio can be watched and alerted on
 * while it runs, not only read from {@code cost-report.json} at the end.
 *
 * <p>Cost is a counter of nano-dollars (Beam counters are whole numbers): each worker carries the
 * fraction below one nano-dollar over to its next row, so the total is exact to within one
 * nano-dollar per worker even when single rows cost far less (a local-model row costs about
 * 10^-7 dollars).
 */
public final class CostMetrics extends PTransform<PCollection<LabelledRecord>, PCollection<Void>> {
  public static final String RECORDS_OK = "records_ok";
  public static final String RECORDS_FAILED = "records_failed";
  public static final String RECORDS_REUSED = "records_reused";
  public static final String REQUESTS = "requests";
  public static final String INPUT_TOKENS = "input_tokens";
  public static final String CACHE_HIT_TOKENS = "cache_hit_tokens";
  public static final String CACHE_MISS_TOKENS = "cache_miss_tokens";
  public static final String OUTPUT_TOKENS = "output_tokens";
  public static final String REASONING_TOKENS = "reasoning_tokens";
  public static final String COST_NANO_USD = "cost_nano_usd";
  public static final String COMPUTE_MILLISECONDS = "compute_milliseconds";

  /** Every counter this transform publishes, for documentation and dashboards. */
  public static final List<String> COUNTERS =
      List.of(
          RECORDS_OK,
          RECORDS_FAILED,
          RECORDS_REUSED,
          REQUESTS,
          INPUT_TOKENS,
          CACHE_HIT_TOKENS,
          CACHE_MISS_TOKENS,
          OUTPUT_TOKENS,
          REASONING_TOKENS,
          COST_NANO_USD,
          COMPUTE_MILLISECONDS);

  private CostMetrics() {}

  public static CostMetrics count() {
    return new CostMetrics();
  }

  @Override
  public PCollection<Void> expand(PCollection<LabelledRecord> rows) {
    return rows.apply("CountCost", ParDo.of(new CountFn()));
  }

  /** Counts rows; outputs nothing. */
  static final class CountFn extends DoFn<LabelledRecord, Void> {
    private final Counter ok = counter(RECORDS_OK);
    private final Counter failed = counter(RECORDS_FAILED);
    private final Counter reused = counter(RECORDS_REUSED);
    private final Counter requests = counter(REQUESTS);
    private final Counter input = counter(INPUT_TOKENS);
    private final Counter cacheHit = counter(CACHE_HIT_TOKENS);
    private final Counter cacheMiss = counter(CACHE_MISS_TOKENS);
    private final Counter output = counter(OUTPUT_TOKENS);
    private final Counter reasoning = counter(REASONING_TOKENS);
    private final Counter cost = counter(COST_NANO_USD);
    private final Counter compute = counter(COMPUTE_MILLISECONDS);
    private transient Carry costCarry;
    private transient Carry computeCarry;

    @Setup
    public void setup() {
      costCarry = new Carry(cost);
      computeCarry = new Carry(compute);
    }

    @ProcessElement
    public void process(@Element LabelledRecord row) {
      (row.getStatus() == Status.ok ? ok : failed).inc();
      if (row.getReusedFrom() != null) {
        reused.inc();
      }
      requests.inc(row.getAttempts());
      input.inc(row.getInputTokens());
      cacheHit.inc(row.getCacheHitTokens());
      cacheMiss.inc(row.getCacheMissTokens());
      output.inc(row.getOutputTokens());
      reasoning.inc(row.getReasoningTokens());
      costCarry.add(row.getCostUsd() * 1e9);
      computeCarry.add(row.getComputeSeconds() * 1e3);
    }

    private static Counter counter(String name) {
      return Metrics.counter(JobProgress.NAMESPACE, name);
    }
  }

  /** Adds whole units to a counter and keeps the fraction for the next call. */
  static final class Carry {
    private final Counter counter;
    private double fraction;

    Carry(Counter counter) {
      this.counter = counter;
    }

    void add(double units) {
      if (!(units > 0) || Double.isInfinite(units)) {
        return;
      }
      fraction += units;
      long whole = (long) Math.floor(fraction);
      if (whole > 0) {
        counter.inc(whole);
        fraction -= whole;
      }
    }
  }
}
