package dev.flashline.stream;

import dev.flashline.schema.LabelledRecord;
import java.io.Serializable;

/**
 * What {@link AttachSourceFn} receives under a record id: the message it was read from, or one of
 * its result rows. Exactly one of the two is set.
 *
 * @param rows with a message: how many result rows it will have (one per task of the job)
 */
record SourceOrRow(KafkaPosition position, byte[] payload, int rows, LabelledRecord row) implements Serializable {
  SourceOrRow {
    if ((position == null) == (row == null)) {
      throw new IllegalArgumentException("either a message or a row");
    }
    if (position != null && rows < 1) {
      throw new IllegalArgumentException("a message has at least one result row, got " + rows);
    }
  }

  static SourceOrRow message(KafkaPosition position, byte[] payload, int rows) {
    return new SourceOrRow(position, payload, rows, null);
  }

  static SourceOrRow row(LabelledRecord row) {
    return new SourceOrRow(null, null, 0, row);
  }
}
