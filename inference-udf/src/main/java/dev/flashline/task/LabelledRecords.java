package dev.flashline.task;

import dev.flashline.cost.ComputeCost;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import java.util.List;

/** Builds output rows, so every backend fills the same fields the same way. */
public final class LabelledRecords {
  private LabelledRecords() {}

  /** A row for work billed by compute time, with its cost filled in from the job's rate. */
  public static LabelledRecord.Builder selfHosted(
      String id, TaskType task, String backend, String model, double cpuSeconds, ComputeSpec rate) {
    double cost = ComputeCost.usd(cpuSeconds, rate);
    Charge charge =
        Charge.newBuilder()
            .setBackend(backend)
            .setModel(model)
            .setPriceTier(PriceTier.standard)
            .setPriceSchedule(ComputeCost.scheduleId(rate))
            .setComputeSeconds(cpuSeconds)
            .setCostUsd(cost)
            .build();
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(task)
        .setBackend(backend)
        .setModel(model)
        .setStatus(Status.ok)
        .setComputeSeconds(cpuSeconds)
        .setPriceTier(PriceTier.standard)
        .setPriceSchedule(ComputeCost.scheduleId(rate))
        .setCostUsd(cost)
        .setCharges(List.of(charge));
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

  /** Marks a row, and the charges it has so far, as the work of a cascade stage. */
  public static LabelledRecord.Builder atStage(LabelledRecord.Builder row, String stage) {
    row.setStage(stage);
    for (Charge charge : row.getCharges()) {
      if (charge.getStage() == null) {
        charge.setStage(stage);
      }
    }
    return row;
  }
}
