package dev.flashline.task;

import java.util.Objects;

/** One class a classify job may assign: its name (the value written to the output) and what it means. */
public record LabelSpec(String name, String description) implements java.io.Serializable {
  public LabelSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a label needs a non-empty 'name'");
    }
    name = name.strip();
    description = Objects.requireNonNullElse(description, "").strip();
  }
}
