package dev.flashline.stream;

import dev.flashline.schema.LabelledRecord;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Finds each row's message in this JVM's {@link OffsetLedger}: where the worker that read a
 * message also writes its rows (one machine, or a cluster whose job does not shuffle records).
 * A row whose message this JVM did not read goes on without one.
 */
final class LedgerLookupFn extends DoFn<LabelledRecord, SourcedRow> {
  private final String runId;
  private transient OffsetLedger ledger;

  LedgerLookupFn(String runId) {
    this.runId = runId;
  }

  @Setup
  public void setup() {
    ledger = OffsetLedger.of(runId);
  }

  @ProcessElement
  public void process(@Element LabelledRecord row, OutputReceiver<SourcedRow> out) {
    OffsetLedger.Taken taken = ledger.take(row.getId());
    if (taken == null) {
      out.output(SourcedRow.unknown(row));
      return;
    }
    out.output(new SourcedRow(row, taken.entry().position(), taken.entry().payload(), taken.last()));
  }
}
