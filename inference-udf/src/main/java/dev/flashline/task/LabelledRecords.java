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
    return selfHosted(id, task, backend, model, cpuSeconds, rate, 0, 0, 0);
  }

  /**
   * A row for work billed by compute time that also says which prompt tokens the engine computed,
   * which it took from its prefix cache, and how many it generated.
   */
  public static LabelledRecord.Builder selfHosted(
      String id, TaskType task, String backend, String model, double cpuSeconds, ComputeSpec rate,
      long cacheHitTokens, long cacheMissTokens, long outputTokens) {
    double cost = ComputeCost.usd(cpuSeconds, rate);
    Charge charge =
        Charge.newBuilder()
            .setBackend(backend)
            .setModel(model)
            .setPriceTier(PriceTier.standard)
            .setPriceSchedule(ComputeCost.scheduleId(rate))
            .setComputeSeconds(cpuSeconds)
            .setCacheHitTokens(cacheHitTokens)
            .setCacheMissTokens(cacheMissTokens)
            .setOutputTokens(outputTokens)
            .setCostUsd(cost)
            .build();
    return LabelledRecord.newBuilder()
        .setId(id)
        .setTask(task)
        .setBackend(backend)
        .setModel(model)
        .setStatus(Status.ok)
        .setInputTokens(cacheHitTokens + cacheMissTokens)
        .setCacheHitTokens(cacheHitTokens)
        .setCacheMissTokens(cacheMissTokens)
        .setOutputTokens(outputTokens)
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

  /**
   * The row of a record whose answer was paid for by another: the payer's answer, this record's
   * own id and gold label, and only what this record cost itself before (its local stage, if any).
   *
   * @param prior this record's local-stage row in a cascade, or null
   */
  public static LabelledRecord reused(
      String id, String goldLabel, String taskName, LabelledRecord payer, String payerId, LabelledRecord prior) {
    LabelledRecord.Builder row = LabelledRecord.newBuilder(payer)
        .setId(id)
        .setTaskName(taskName)
        .setGoldLabel(goldLabel)
        .setReusedFrom(payerId)
        .setRawOutput(null)
        .setAttempts(0)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setCacheHitTokens(0)
        .setCacheMissTokens(0)
        .setReasoningTokens(0)
        .setComputeSeconds(0)
        .setCostUsd(0)
        .setCharges(new java.util.ArrayList<>());
    if (prior != null) {
      row.setIsExample(prior.getIsExample());
      for (Charge charge : prior.getCharges()) {
        addCharge(row, charge);
      }
      row.setInputTokens(prior.getInputTokens());
    }
    return row.build();
  }

  /** Adds a charge to a row and its totals (a primer billed to the row that closed its wave). */
  public static LabelledRecord withCharge(LabelledRecord row, Charge charge) {
    LabelledRecord.Builder out = LabelledRecord.newBuilder(row).setCharges(new java.util.ArrayList<>(row.getCharges()));
    addCharge(out, charge);
    out.setInputTokens(out.getInputTokens() + charge.getCacheHitTokens() + charge.getCacheMissTokens());
    return out.build();
  }

  private static void addCharge(LabelledRecord.Builder row, Charge charge) {
    row.getCharges().add(charge);
    row.setCacheHitTokens(row.getCacheHitTokens() + charge.getCacheHitTokens())
        .setCacheMissTokens(row.getCacheMissTokens() + charge.getCacheMissTokens())
        .setOutputTokens(row.getOutputTokens() + charge.getOutputTokens())
        .setReasoningTokens(row.getReasoningTokens() + charge.getReasoningTokens())
        .setComputeSeconds(row.getComputeSeconds() + charge.getComputeSeconds())
        .setCostUsd(row.getCostUsd() + charge.getCostUsd());
  }
}
