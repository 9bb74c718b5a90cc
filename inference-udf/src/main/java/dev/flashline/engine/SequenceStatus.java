package dev.flashline.engine;

/**
 * Where a sequence is in the scheduler. A preempted sequence goes from RUNNING back to WAITING
 * (its KV cache freed, to be recomputed), so the two alternate until FINISHED.
 */
public enum SequenceStatus {
  WAITING,
  RUNNING,
  FINISHED
}
