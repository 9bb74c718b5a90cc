package dev.flashline.estimate;

import dev.flashline.schema.TaskType;

/**
 * What one task of a job would send, measured from the input without calling a model.
 *
 * @param name the task's name
 * @param task classify or summarise
 * @param model the model the task's first endpoint stage asks
 * @param prefixTokens P: the prompt tokens every request of the task shares (BOS, the system
 *     message, the user marker); exactly what a primer's user-input unit holds
 * @param prefixChars characters of the static prefix (the pipeline sizes its priming decision on them)
 * @param requests distinct documents: what the task asks when duplicates are asked once
 * @param documentTokens the distinct documents' own prompt tokens (fenced document and the
 *     assistant marker), summed
 * @param outputTokens the output tokens expected for the distinct documents, summed
 * @param duplicates documents whose text an earlier one has; sent only when {@code reuse} is off
 * @param duplicateDocumentTokens their own prompt tokens, summed
 * @param duplicateOutputTokens their output tokens, summed
 * @param reuse whether duplicates are asked once (cost.reuse)
 * @param cascade what a local first stage would pass on
 */
public record TaskLoad(
    String name,
    TaskType task,
    String model,
    long prefixTokens,
    long prefixChars,
    long requests,
    long documentTokens,
    long outputTokens,
    long duplicates,
    long duplicateDocumentTokens,
    long duplicateOutputTokens,
    boolean reuse,
    Cascade cascade) {

  /**
   * The local cascade of a classification task: the share of documents whose local confidence is
   * below the threshold, measured on a sample, and so sent on to the model.
   *
   * @param threshold the first stage's accept_confidence, or the what-if value
   * @param whatIf true when the job has no local first stage and the threshold is assumed
   * @param escalatedShare escalated share of the sample, in [0, 1]; 1 when not measured
   * @param sample documents classified to measure it; 0 when not measured
   * @param measured false when the local model was not run (--no-local) or does not apply
   */
  public record Cascade(double threshold, boolean whatIf, double escalatedShare, int sample, boolean measured) {
    /** No cascade applies (a summary) or none was measured: every document goes to the model. */
    public static Cascade none(double threshold, boolean whatIf) {
      return new Cascade(threshold, whatIf, 1.0, 0, false);
    }
  }

  /** Mean own prompt tokens of a distinct document. */
  public double meanDocumentTokens() {
    return requests == 0 ? 0 : (double) documentTokens / requests;
  }

  /** Mean output tokens of a request. */
  public double meanOutputTokens() {
    return requests == 0 ? 0 : (double) outputTokens / requests;
  }
}
