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

  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

  /** The form texts are matched to examples in: differences in whitespace do not count. */
  public static String normalise(String text) {
    return WHITESPACE.matcher(text.strip()).replaceAll(" ");
  }
}
