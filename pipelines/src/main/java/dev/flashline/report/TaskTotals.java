package dev.flashline.report;

import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.Serializable;

/** Per task of a job of several: rows, outcome, cost, and accuracy where the task has a gold field. */
public final class TaskTotals implements Serializable {
  public long records;
  public long ok;
  public long failed;
  public long reused;
  public double costUsd;
  public long cacheHitTokens;
  public long cacheMissTokens;
  /** Ok rows with a gold label that are not examples, and how many of them were right. */
  public long judged;
  public long correct;

  void add(LabelledRecord row) {
    records++;
    if (row.getStatus() == Status.ok) {
      ok++;
    } else {
      failed++;
    }
    if (row.getReusedFrom() != null) {
      reused++;
    }
    costUsd += row.getCostUsd();
    cacheHitTokens += row.getCacheHitTokens();
    cacheMissTokens += row.getCacheMissTokens();
    if (row.getStatus() == Status.ok && row.getGoldLabel() != null && row.getLabel() != null && !row.getIsExample()) {
      judged++;
      if (row.getGoldLabel().equals(row.getLabel())) {
        correct++;
      }
    }
  }

  void merge(TaskTotals other) {
    records += other.records;
    ok += other.ok;
    failed += other.failed;
    reused += other.reused;
    costUsd += other.costUsd;
    cacheHitTokens += other.cacheHitTokens;
    cacheMissTokens += other.cacheMissTokens;
    judged += other.judged;
    correct += other.correct;
  }
}
