package dev.flashline.task;

/** A few-shot example: a text and the label it should get. */
public record Example(String text, String label) implements java.io.Serializable {
  public Example {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("an example needs a non-empty 'text'");
    }
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("an example needs a 'label'");
    }
    label = label.strip();
  }
}
