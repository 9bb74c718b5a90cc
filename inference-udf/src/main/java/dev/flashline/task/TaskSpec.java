package dev.flashline.task;

import dev.flashline.schema.TaskType;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One task of a job that runs several over the same input (for example classify by topic,
 * classify by urgency and summarise, each with its own prompt). Fields left out take the job's
 * top-level value; the input fields and the endpoint are the job's.
 *
 * @param name names the task in output rows ({@code task_name}) and the report
 * @param model the model this task's openai stage asks (default: {@code openai.model})
 */
public record TaskSpec(
    String name,
    TaskType task,
    String goldField,
    List<LabelSpec> labels,
    List<Example> examples,
    SummarySpec summary,
    LocalSpec local,
    BackendKind backend,
    String model,
    List<StageSpec> cascade)
    implements Serializable {

  public TaskSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("every entry of 'tasks' needs a 'name'");
    }
    name = name.strip();
    if (task == null) {
      throw new IllegalArgumentException("task '" + name + "': 'task' is required: classify or summarise");
    }
    labels = List.copyOf(Objects.requireNonNullElse(labels, List.of()));
    examples = List.copyOf(Objects.requireNonNullElse(examples, List.of()));
    cascade = List.copyOf(Objects.requireNonNullElse(cascade, List.of()));
    model = model == null || model.isBlank() ? null : model.strip();
  }

  TaskSpec withBackend(BackendKind value) {
    return new TaskSpec(name, task, goldField, labels, examples, summary, local, value, model, List.of());
  }
}
