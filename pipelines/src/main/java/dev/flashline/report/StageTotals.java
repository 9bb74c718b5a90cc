package dev.flashline.report;

import java.io.Serializable;

/**
 * One cascade stage's totals: the records it answered, and what was spent at it. The two differ
 * because a record escalated past a stage still spent there.
 */
public final class StageTotals implements Serializable {
  /** Rows whose answering stage this was. */
  public long answered;
  public long ok;
  public long failed;
  /** The whole cost of the rows this stage answered, earlier stages' work included. */
  public double answeredCostUsd;
  /** Cost of the work done at this stage, over every row that reached it. */
  public double spendUsd;
  /** Charges at this stage: billed model requests, or one per row for self-hosted work. */
  public long requests;

  void merge(StageTotals other) {
    answered += other.answered;
    ok += other.ok;
    failed += other.failed;
    answeredCostUsd += other.answeredCostUsd;
    spendUsd += other.spendUsd;
    requests += other.requests;
  }
}
