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
    ComputeSpec compute,
    BackendKind backend,
    OpenAiSpec openai,
    List<StageSpec> cascade)
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
    openai = Objects.requireNonNullElse(openai, OpenAiSpec.defaults());
    cascade = List.copyOf(Objects.requireNonNullElse(cascade, List.of()));
    if (!cascade.isEmpty()) {
      checkCascade(task, backend, cascade);
    }

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

  private static void checkCascade(TaskType task, BackendKind backend, List<StageSpec> cascade) {
    if (backend != null) {
      throw new IllegalArgumentException("give either 'backend' or 'cascade', not both");
    }
    if (task != TaskType.classify) {
      throw new IllegalArgumentException("'cascade' only applies to task: classify");
    }
    if (cascade.size() < 2) {
      throw new IllegalArgumentException("'cascade' needs at least 2 stages, got " + cascade.size());
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < cascade.size(); i++) {
      StageSpec stage = cascade.get(i);
      String where = "'cascade[" + i + "]' (stage '" + stage.stage() + "')";
      if (!names.add(stage.stage())) {
        throw new IllegalArgumentException(where + ": stage name is used twice");
      }
      if (stage.backend() == BackendKind.local && i > 0) {
        throw new IllegalArgumentException(where + ": a local stage can only come first");
      }
      boolean last = i == cascade.size() - 1;
      if (!last && stage.acceptConfidence() == null) {
        throw new IllegalArgumentException(
            where + ": needs accept_confidence, the confidence at which its label is final");
      }
      if (last && stage.acceptConfidence() != null) {
        throw new IllegalArgumentException(
            where + ": the last stage answers every record it gets; remove accept_confidence");
      }
    }
  }

  /** The backend when the job has no cascade: as given, else local. */
  public BackendKind effectiveBackend() {
    return backend == null ? BackendKind.local : backend;
  }

  public boolean isCascade() {
    return !cascade.isEmpty();
  }

  /**
   * The stages a record goes through: the cascade, or one stage (named after the backend) that
   * answers everything.
   */
  public List<StageSpec> route() {
    if (isCascade()) {
      return cascade;
    }
    BackendKind kind = effectiveBackend();
    return List.of(new StageSpec(kind.name(), kind, kind == BackendKind.openai ? openai.model() : null, null));
  }

  /** The model an openai stage asks. */
  public String modelOf(StageSpec stage) {
    return stage.model() == null ? openai.model() : stage.model();
  }

  /** Whether any record may be sent to the local model. */
  public boolean usesLocal() {
    return route().get(0).backend() == BackendKind.local;
  }

  /** Whether any record may be sent to an endpoint. */
  public boolean usesOpenAi() {
    return route().stream().anyMatch(stage -> stage.backend() == BackendKind.openai);
  }

  /** The same job on one backend, cascade dropped: a command-line choice of backend wins over the spec. */
  public JobSpec withBackend(BackendKind value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, value, openai, List.of());
  }

  public JobSpec withExamples(List<Example> value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, value, summary, local, compute, backend, openai, cascade);
  }

  public JobSpec withOpenAi(OpenAiSpec value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, backend, value, cascade);
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  public List<String> labelNames() {
    return labels.stream().map(LabelSpec::name).collect(Collectors.toList());
  }
}
