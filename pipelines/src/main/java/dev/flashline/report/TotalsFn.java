package dev.flashline.report;

import dev.flashline.schema.LabelledRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/** Sums output rows into {@link JobTotals} on the workers, so the report scales with the job. */
public final class TotalsFn extends Combine.CombineFn<LabelledRecord, JobTotals, JobTotals> {
  @Override
  public JobTotals createAccumulator() {
    return new JobTotals();
  }

  @Override
  public JobTotals addInput(JobTotals totals, LabelledRecord row) {
    totals.add(row);
    return totals;
  }

  @Override
  public JobTotals mergeAccumulators(Iterable<JobTotals> accumulators) {
    JobTotals merged = new JobTotals();
    for (JobTotals totals : accumulators) {
      merged.merge(totals);
    }
    return merged;
  }

  @Override
  public JobTotals extractOutput(JobTotals totals) {
    return totals;
  }

  @Override
  public Coder<JobTotals> getAccumulatorCoder(CoderRegistry registry, Coder<LabelledRecord> input) {
    return JsonCoder.of(JobTotals.class);
  }

  @Override
  public Coder<JobTotals> getDefaultOutputCoder(CoderRegistry registry, Coder<LabelledRecord> input) {
    return JsonCoder.of(JobTotals.class);
  }
}
