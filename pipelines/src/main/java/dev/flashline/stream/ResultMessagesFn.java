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
final class ResultMessagesFn extends DoFn<SourcedRow, OutgoingMessage> {
  private final StreamRequest request;

  ResultMessagesFn(StreamRequest request) {
    this.request = request;
  }

  @ProcessElement
  public void process(@Element SourcedRow sourced, OutputReceiver<OutgoingMessage> out) {
    LabelledRecord row = sourced.row();
    KafkaPosition position = sourced.position();
    // A message is finished by its last row only (one per task), so its offset is not committed
    // while another task's row for it is still to be written.
    out.output(new OutgoingMessage(request.outputTopic(), row.getId(), request.format().encode(row), sourced.finishes()));
    if (row.getStatus() == Status.failed) {
      DeadLetter letter =
          DeadLetter.newBuilder()
              .setJob(request.job().name())
              .setSource(request.inputTopic())
              .setLocation(position == null ? null : "partition " + position.partition() + " offset " + position.offset())
              .setRecordId(row.getId())
              .setReason(row.getError() == null ? "failed" : row.getError())
              .setPayload(sourced.payload() == null ? null : MessageDecoder.payload(sourced.payload()))
              .build();
      out.output(new OutgoingMessage(request.deadLetterTopic(), row.getId(), request.format().encode(letter), null));
    }
  }
}
