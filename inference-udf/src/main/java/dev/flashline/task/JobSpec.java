package dev.flashline.task;

import dev.flashline.schema.TaskType;
import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a job does: which task, over which input fields, with which labels and examples. Loaded
 * from YAML by {@link JobSpecLoader}; immutable and validated here, so a spec that exists is a
 * spec that can run.
 */
public record JobSpec(
    String name,
    TaskType task,
    String idField,
    String textField,
    String goldField,
    List<LabelSpec> labels,
    List<Example> examples,
    SummarySpec summary,
    LocalSpec local,
    ComputeSpec compute)
    implements Serializable {

  public static final String DEFAULT_ID_FIELD = "id";
  public static final String DEFAULT_TEXT_FIELD = "text";

  public JobSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'name' is required");
    }
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new IllegalArgumentException(
          "'name' must be 1-100 letters, digits, '.', '_' or '-' (it names output files), got '" + name + "'");
    }
    if (task == null) {
      throw new IllegalArgumentException("'task' is required: classify or summarise");
    }
    idField = blankTo(idField, DEFAULT_ID_FIELD);
    textField = blankTo(textField, DEFAULT_TEXT_FIELD);
    goldField = goldField == null || goldField.isBlank() ? null : goldField.strip();
    labels = List.copyOf(Objects.requireNonNullElse(labels, List.of()));
    examples = List.copyOf(Objects.requireNonNullElse(examples, List.of()));
    summary = Objects.requireNonNullElse(summary, SummarySpec.defaults());
    local = Objects.requireNonNullElse(local, LocalSpec.defaults());
    compute = Objects.requireNonNullElse(compute, ComputeSpec.defaults());

    if (task == TaskType.classify) {
      if (labels.size() < 2) {
        throw new IllegalArgumentException(
            "'labels': a classify job needs at least 2 labels, got " + labels.size());
      }
      Set<String> seen = new LinkedHashSet<>();
      for (LabelSpec label : labels) {
        if (!seen.add(label.name())) {
          throw new IllegalArgumentException("'labels': label '" + label.name() + "' is declared twice");
        }
      }
      for (int i = 0; i < examples.size(); i++) {
        Example example = examples.get(i);
        if (!seen.contains(example.label())) {
          throw new IllegalArgumentException(
              "'examples[" + i + "].label': label '" + example.label()
                  + "' is not declared in 'labels' (declared: " + String.join(", ", seen) + ")");
        }
      }
    } else {
      if (goldField != null) {
        throw new IllegalArgumentException("'gold_field' only applies to task: classify");
      }
    }
    if (idField.equals(textField)) {
      throw new IllegalArgumentException("'id_field' and 'text_field' must differ, both are '" + idField + "'");
    }
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  public List<String> labelNames() {
    return labels.stream().map(LabelSpec::name).collect(Collectors.toList());
  }
}
