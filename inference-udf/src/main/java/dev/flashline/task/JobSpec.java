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
    List<StageSpec> cascade,
    List<TaskSpec> tasks,
    CostSpec cost,
    @com.fasterxml.jackson.annotation.JsonProperty("native") NativeSpec nativeModel)
    implements Serializable {

  public static final String DEFAULT_ID_FIELD = "id";
  public static final String DEFAULT_TEXT_FIELD = "text";

  @com.fasterxml.jackson.annotation.JsonCreator
  public JobSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("'name' is required");
    }
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw new IllegalArgumentException(
          "'name' must be 1-100 letters, digits, '.', '_' or '-' (it names output files), got '" + name + "'");
    }
    tasks = List.copyOf(Objects.requireNonNullElse(tasks, List.of()));
    cost = Objects.requireNonNullElse(cost, CostSpec.defaults());
    if (!tasks.isEmpty()) {
      checkTasks(name, task, goldField, labels, examples, summary, backend, cascade, tasks);
    } else if (task == null) {
      throw new IllegalArgumentException("'task' is required: classify or summarise (or give 'tasks', a list)");
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
    nativeModel = Objects.requireNonNullElse(nativeModel, NativeSpec.defaults());
    cascade = List.copyOf(Objects.requireNonNullElse(cascade, List.of()));
    if (!cascade.isEmpty()) {
      checkCascade(task, backend, cascade);
    }

    if (task == null) {
      // A job of several tasks: each must make a valid job of its own.
      resolveTasks(idField, textField, local, compute, backend, openai, cost, nativeModel, tasks);
    } else if (task == TaskType.classify) {
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
    if (task != null && nativeModel.model() == null
        && (backend == BackendKind.native_ || cascade.stream().anyMatch(s -> s.backend() == BackendKind.native_))) {
      throw new IllegalArgumentException(
          "'native.model' is required by the native backend: a checkpoint directory with config.json, the weights and tokenizer.json");
    }
  }

  /** A job of one task with the default cost controls. */
  public JobSpec(
      String name, TaskType task, String idField, String textField, String goldField, List<LabelSpec> labels,
      List<Example> examples, SummarySpec summary, LocalSpec local, ComputeSpec compute, BackendKind backend,
      OpenAiSpec openai, List<StageSpec> cascade) {
    this(name, task, idField, textField, goldField, labels, examples, summary, local, compute, backend, openai, cascade, List.of(), null, null);
  }

  private static void checkTasks(
      String name, TaskType task, String goldField, List<LabelSpec> labels, List<Example> examples,
      SummarySpec summary, BackendKind backend, List<StageSpec> cascade, List<TaskSpec> tasks) {
    List<String> misplaced = new java.util.ArrayList<>();
    if (task != null) misplaced.add("task");
    if (goldField != null && !goldField.isBlank()) misplaced.add("gold_field");
    if (labels != null && !labels.isEmpty()) misplaced.add("labels");
    if (examples != null && !examples.isEmpty()) misplaced.add("examples");
    if (summary != null && !summary.equals(SummarySpec.defaults())) misplaced.add("summary");
    if (cascade != null && !cascade.isEmpty()) misplaced.add("cascade");
    if (!misplaced.isEmpty()) {
      throw new IllegalArgumentException(
          "a job with 'tasks' sets " + String.join(", ", misplaced) + " in each task, not at the top level");
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskSpec t = tasks.get(i);
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("'tasks[" + i + "]': task name '" + t.name() + "' is used twice");
      }
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
      if (stage.backend() != BackendKind.openai && i > 0) {
        throw new IllegalArgumentException(where + ": a " + stage.backend().id() + " stage can only come first");
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

  /** Whether the spec holds several tasks ({@code tasks:}) rather than one. */
  public boolean isMultiTask() {
    return !tasks.isEmpty();
  }

  /**
   * The job's tasks, each as a job of one task: this spec itself, or one per entry of
   * {@code tasks} with the top-level values filled in. Validation errors name the task.
   */
  public List<JobSpec> taskJobs() {
    if (tasks.isEmpty()) {
      return List.of(this);
    }
    return resolveTasks(idField, textField, local, compute, backend, openai, cost, nativeModel, tasks);
  }

  private static List<JobSpec> resolveTasks(
      String idField, String textField, LocalSpec local, ComputeSpec compute, BackendKind backend,
      OpenAiSpec openai, CostSpec cost, NativeSpec nativeModel, List<TaskSpec> tasks) {
    List<JobSpec> out = new java.util.ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskSpec t = tasks.get(i);
      OpenAiSpec taskOpenAi = t.model() == null ? openai : openai.withModel(t.model());
      try {
        out.add(new JobSpec(
            t.name(), t.task(), idField, textField, t.goldField(), t.labels(), t.examples(), t.summary(),
            t.local() == null ? local : t.local(), compute, t.backend() == null ? backend : t.backend(),
            taskOpenAi, t.cascade(), List.of(), cost, nativeModel));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'tasks[" + i + "]' (task '" + t.name() + "'): " + e.getMessage());
      }
    }
    return List.copyOf(out);
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
    return List.of(new StageSpec(kind.id(), kind, kind == BackendKind.openai ? openai.model() : null, null));
  }

  /** The model an openai stage asks. */
  public String modelOf(StageSpec stage) {
    return stage.model() == null ? openai.model() : stage.model();
  }

  /** Whether any record may be sent to the local model. */
  public boolean usesLocal() {
    if (isMultiTask()) {
      return taskJobs().stream().anyMatch(JobSpec::usesLocal);
    }
    return route().get(0).backend() == BackendKind.local;
  }

  /** Whether the engine inside the worker answers (all records, or first in a cascade). */
  public boolean usesNative() {
    if (isMultiTask()) {
      return taskJobs().stream().anyMatch(JobSpec::usesNative);
    }
    return route().get(0).backend() == BackendKind.native_;
  }

  /** Whether any record may be sent to an endpoint. */
  public boolean usesOpenAi() {
    if (isMultiTask()) {
      return taskJobs().stream().anyMatch(JobSpec::usesOpenAi);
    }
    return route().stream().anyMatch(stage -> stage.backend() == BackendKind.openai);
  }

  /** Every model an endpoint may be asked, over all tasks and stages. */
  public Set<String> openAiModels() {
    Set<String> out = new java.util.TreeSet<>();
    for (JobSpec one : taskJobs()) {
      for (StageSpec stage : one.route()) {
        if (stage.backend() == BackendKind.openai) {
          out.add(one.modelOf(stage));
        }
      }
    }
    return out;
  }

  /** The task, or "classify+summarise"-style for a job of several. */
  public String taskLabel() {
    if (!isMultiTask()) {
      return task.name();
    }
    return taskJobs().stream().map(t -> t.task().name()).distinct().collect(Collectors.joining("+"));
  }

  /** The same job on one backend, cascade dropped: a command-line choice of backend wins over the spec. */
  public JobSpec withBackend(BackendKind value) {
    List<TaskSpec> each = tasks.stream().map(t -> t.withBackend(value)).toList();
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, value, openai, List.of(), each, cost, nativeModel);
  }

  public JobSpec withExamples(List<Example> value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, value, summary, local, compute, backend, openai, cascade, tasks, cost, nativeModel);
  }

  public JobSpec withOpenAi(OpenAiSpec value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, backend, value, cascade, tasks, cost, nativeModel);
  }

  public JobSpec withCost(CostSpec value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, backend, openai, cascade, tasks, value, nativeModel);
  }

  public JobSpec withNative(NativeSpec value) {
    return new JobSpec(name, task, idField, textField, goldField, labels, examples, summary, local, compute, backend, openai, cascade, tasks, cost, value);
  }

  private static String blankTo(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  public List<String> labelNames() {
    return labels.stream().map(LabelSpec::name).collect(Collectors.toList());
  }
}
