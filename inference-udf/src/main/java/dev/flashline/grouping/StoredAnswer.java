package dev.flashline.grouping;

/**
 * An answer kept in a {@link ResultStore}: enough to write the row again for the same document
 * under the same prompt, and who paid for it.
 */
public record StoredAnswer(
    String payerId, String label, String summary, Double confidence, String backend, String model, String stage) {
  public StoredAnswer {
    if (payerId == null || backend == null || model == null) {
      throw new IllegalArgumentException("a stored answer needs the paying record's id, backend and model");
    }
    if ((label == null) == (summary == null)) {
      throw new IllegalArgumentException("a stored answer holds a label or a summary");
    }
  }
}
