package dev.flashline.beam;

import dev.flashline.schema.LabelledRecord;
import org.apache.beam.sdk.transforms.DoFn;

/** Names the task on rows made by steps that serve one task and do not know its name. */
final class NameRowsFn extends DoFn<LabelledRecord, LabelledRecord> {
  private final String task;

  NameRowsFn(String task) {
    this.task = task;
  }

  @ProcessElement
  public void process(@Element LabelledRecord row, OutputReceiver<LabelledRecord> out) {
    out.output(task.equals(row.getTaskName()) ? row : LabelledRecord.newBuilder(row).setTaskName(task).build());
  }
}
