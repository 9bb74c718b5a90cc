package dev.flashline.beam;

import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.LabelledRecords;
import java.util.Set;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Writes the paying record's row, and one row per duplicate that reuses its answer at no cost
 * (marked with the payer's id). When the payer failed, its duplicates fail with the same reason:
 * asking again would most likely fail the same way, and a rerun retries them all.
 */
final class ReuseAnswersFn extends DoFn<KV<String, CoGbkResult>, LabelledRecord> {
  static final TupleTag<LabelledRecord> ANSWERS = new TupleTag<>() {};
  static final TupleTag<KV<String, KV<Document, LabelledRecord>>> DUPLICATES = new TupleTag<>() {};

  private final String runId;
  private final Set<String> countProgressOf;
  private transient JobProgress.Tracker progress;

  ReuseAnswersFn(String runId, Set<String> countProgressOf) {
    this.runId = runId;
    this.countProgressOf = Set.copyOf(countProgressOf);
  }

  @Setup
  public void setup() {
    progress = JobProgress.tracker(runId);
  }

  @ProcessElement
  public void process(@Element KV<String, CoGbkResult> joined, OutputReceiver<LabelledRecord> out) {
    LabelledRecord payer = null;
    for (LabelledRecord row : joined.getValue().getAll(ANSWERS)) {
      payer = row;
      out.output(row);
    }
    for (KV<String, KV<Document, LabelledRecord>> duplicate : joined.getValue().getAll(DUPLICATES)) {
      if (payer == null) {
        throw new IllegalStateException("no answer for the record that pays for " + joined.getKey() + "'s duplicates");
      }
      Document document = duplicate.getValue().getKey();
      LabelledRecord row = LabelledRecords.reused(
          document.getId(), document.getGoldLabel(), duplicate.getKey(), payer, payer.getId(), duplicate.getValue().getValue());
      if (row.getStatus() == Status.failed) {
        row = LabelledRecord.newBuilder(row).setError(payer.getError() + " (same document as record '" + payer.getId() + "', asked once)").build();
      }
      out.output(row);
      if (countProgressOf.contains(duplicate.getKey())) {
        progress.add(1);
      }
    }
  }
}
