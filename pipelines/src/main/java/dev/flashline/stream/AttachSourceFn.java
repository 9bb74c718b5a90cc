package dev.flashline.stream;

import dev.flashline.schema.LabelledRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Joins each result row to the message it answers, by record id, in keyed state: the cluster's
 * counterpart of the {@link OffsetLedger}'s lookup, for jobs whose records are labelled on another
 * worker than the one that read them. A message waits here (with its payload, for a dead letter)
 * until its rows arrive, and a row that arrives first waits for its message. Messages of one id
 * are answered in the order they were read, as the ledger does. The state is part of the job's
 * checkpoints, so a restore loses no pairing.
 */
final class AttachSourceFn extends DoFn<KV<String, SourceOrRow>, SourcedRow> {
  /** A message still awaiting rows. */
  private static final class Waiting implements Serializable {
    final KafkaPosition position;
    final byte[] payload;
    int rowsLeft;

    Waiting(KafkaPosition position, byte[] payload, int rowsLeft) {
      this.position = position;
      this.payload = payload;
      this.rowsLeft = rowsLeft;
    }
  }

  /** What one record id has waiting: messages in the order read, and rows that came before their message. */
  static final class Pending implements Serializable {
    final List<Waiting> messages = new ArrayList<>();
    final List<LabelledRecord> rows = new ArrayList<>();

    boolean isEmpty() {
      return messages.isEmpty() && rows.isEmpty();
    }
  }

  @StateId("pending")
  private final StateSpec<ValueState<Pending>> pendingSpec = StateSpecs.value(SerializableCoder.of(Pending.class));

  @ProcessElement
  public void process(@Element KV<String, SourceOrRow> element, @StateId("pending") ValueState<Pending> state, OutputReceiver<SourcedRow> out) {
    Pending pending = state.read();
    if (pending == null) {
      pending = new Pending();
    }
    SourceOrRow item = element.getValue();
    if (item.row() != null) {
      pending.rows.add(item.row());
    } else {
      pending.messages.add(new Waiting(item.position(), item.payload(), item.rows()));
    }
    // Pair rows with the oldest message still awaiting rows.
    while (!pending.rows.isEmpty() && !pending.messages.isEmpty()) {
      Waiting head = pending.messages.get(0);
      LabelledRecord row = pending.rows.remove(0);
      boolean last = --head.rowsLeft == 0;
      if (last) {
        pending.messages.remove(0);
      }
      out.output(new SourcedRow(row, head.position, head.payload, last));
    }
    if (pending.isEmpty()) {
      state.clear();
    } else {
      state.write(pending);
    }
  }
}
