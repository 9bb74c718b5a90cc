package dev.flashline.task;

import dev.flashline.cost.ComputeCost;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;

/** Builds output rows, so every backend fills the same fields the same way. */
public final class LabelledRecords {
  private LabelledRecords() {}

  /** A row for work billed by compute time, with its cost filled in from the job's rate. */
  public static LabelledRecord.Builder selfHosted(
      String id, TaskType task, String backend, String model, double cpuSeconds, ComputeSpec rate) {
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(task)
        .setBackend(backend)
        .setModel(model)
        .setStatus(Status.ok)
        .setComputeSeconds(cpuSeconds)
        .setPriceTier(PriceTier.standard)
        .setPriceSchedule(ComputeCost.scheduleId(rate))
        .setCostUsd(ComputeCost.usd(cpuSeconds, rate));
  }

  /** A failed row that cost nothing: the record never reached a model. */
  public static LabelledRecord failed(String id, TaskType task, String backend, String model, String error) {
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(task)
        .setBackend(backend)
        .setModel(model)
        .setStatus(Status.failed)
        .setError(error)
        .build();
  }
}
