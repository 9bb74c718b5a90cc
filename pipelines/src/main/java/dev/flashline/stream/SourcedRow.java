package dev.flashline.stream;

import dev.flashline.schema.LabelledRecord;
import java.io.Serializable;
import java.util.Objects;

/**
 * A result row with the input message it answers, as far as it is known where the row is turned
 * into messages.
 *
 * @param position where the message was read; null when it is not known here
 * @param payload the message's value, for a dead letter if the row failed; null when not known
 * @param last whether this is the message's last row (a job of several tasks writes one per task):
 *     only then is the message finished once the row is written
 */
public record SourcedRow(LabelledRecord row, KafkaPosition position, byte[] payload, boolean last) implements Serializable {
  public SourcedRow {
    Objects.requireNonNull(row, "row");
  }

  /** A row whose message is not known where it is published. */
  static SourcedRow unknown(LabelledRecord row) {
    return new SourcedRow(row, null, null, false);
  }

  /** The position this row finishes once written, or null. */
  KafkaPosition finishes() {
    return last ? position : null;
  }
}
