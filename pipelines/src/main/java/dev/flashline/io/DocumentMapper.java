package dev.flashline.io;

import dev.flashline.schema.Document;
import dev.flashline.task.JobSpec;
import java.io.Serializable;

/** Maps an input row to a {@link Document} with the job's id, text and gold fields. */
public final class DocumentMapper implements Serializable {
  private final String idField;
  private final String textField;
  private final String goldField;
  /** In a job of several tasks: task name -> its gold field. */
  private final java.util.TreeMap<String, String> taskGoldFields = new java.util.TreeMap<>();

  public DocumentMapper(JobSpec job) {
    this.idField = job.idField();
    this.textField = job.textField();
    this.goldField = job.goldField();
    if (job.isMultiTask()) {
      for (JobSpec task : job.taskJobs()) {
        if (task.goldField() != null) {
          taskGoldFields.put(task.name(), task.goldField());
        }
      }
    }
  }

  /**
   * A document, or the reason the row cannot be one.
   *
   * @param id the record's id, or where it is ("file line N") when it has no usable id
   * @param idFromRecord whether {@code id} is the record's own
   */
  public record Mapped(Document document, String id, boolean idFromRecord, String error) {}

  public Mapped map(InputRow row) {
    Object rawId = row.fields().get(idField);
    String id = scalar(rawId);
    if (id == null || id.isBlank()) {
      String reason =
          row.fields().containsKey(idField) && rawId != null && !(rawId instanceof CharSequence) && id == null
              ? "field '" + idField + "' must be a string or number"
              : "field '" + idField + "' is " + (row.fields().containsKey(idField) && rawId != null ? "empty" : "missing");
      return new Mapped(null, row.where(), false, row.where() + ": " + reason);
    }
    String where = "record '" + id + "' (" + row.where() + ")";
    if (!row.fields().containsKey(textField) || row.fields().get(textField) == null) {
      return new Mapped(null, id, true, where + ": field '" + textField + "' is missing");
    }
    String text = scalar(row.fields().get(textField));
    if (text == null) {
      return new Mapped(null, id, true, where + ": field '" + textField + "' must be a string");
    }
    if (text.isBlank()) {
      return new Mapped(null, id, true, where + ": field '" + textField + "' is empty");
    }
    String gold = goldField == null ? null : scalar(row.fields().get(goldField));
    Document document =
        Document.newBuilder()
            .setId(id)
            .setText(text)
            .setGoldLabel(gold == null || gold.isBlank() ? null : gold.strip())
            .setSource(row.where())
            .setMetadata(taskGolds(row))
            .build();
    return new Mapped(document, id, true, null);
  }

  /** Each task's gold label, where the pipeline's per-task step finds it (see TaskGoldFn). */
  private java.util.Map<String, String> taskGolds(InputRow row) {
    if (taskGoldFields.isEmpty()) {
      return java.util.Map.of();
    }
    java.util.Map<String, String> out = new java.util.HashMap<>();
    taskGoldFields.forEach((task, field) -> {
      String value = scalar(row.fields().get(field));
      if (value != null && !value.isBlank()) {
        out.put(dev.flashline.beam.TaskGoldFn.metadataKey(task), value.strip());
      }
    });
    return out;
  }

  /** Strings, numbers and booleans as text; anything structured is not a scalar (null). */
  private static String scalar(Object value) {
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return null;
  }
}
