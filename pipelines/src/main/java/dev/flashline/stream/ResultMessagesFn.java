package dev.flashline.stream;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Turns each output row into its message on the output topic, keyed by the record id (so a
 * record processed twice overwrites, or is deduplicated by, the same key), plus a dead letter
 * with the reason and the original payload when the row failed.
 */
final class ResultMessagesFn extends DoFn<LabelledRecord, OutgoingMessage> {
  private final StreamRequest request;
  private final String runId;
  private transient OffsetLedger ledger;

  ResultMessagesFn(StreamRequest request, String runId) {
    this.request = request;
    this.runId = runId;
  }

  @Setup
  public void setup() {
    ledger = OffsetLedger.of(runId);
  }

  @ProcessElement
  public void process(@Element LabelledRecord row, OutputReceiver<OutgoingMessage> out) {
    OffsetLedger.Taken taken = ledger.take(row.getId());
    OffsetLedger.Entry read = taken == null ? null : taken.entry();
    KafkaPosition position = read == null ? null : read.position();
    // A message is finished by its last row only (one per task), so its offset is not committed
    // while another task's row for it is still to be written.
    KafkaPosition finishes = taken != null && taken.last() ? position : null;
    out.output(new OutgoingMessage(request.outputTopic(), row.getId(), request.format().encode(row), finishes));
    if (row.getStatus() == Status.failed) {
      DeadLetter letter =
          DeadLetter.newBuilder()
              .setJob(request.job().name())
              .setSource(request.inputTopic())
              .setLocation(position == null ? null : "partition " + position.partition() + " offset " + position.offset())
              .setRecordId(row.getId())
              .setReason(row.getError() == null ? "failed" : row.getError())
              .setPayload(read == null ? null : MessageDecoder.payload(read.payload()))
              .build();
      out.output(new OutgoingMessage(request.deadLetterTopic(), row.getId(), request.format().encode(letter), null));
    }
  }
}
