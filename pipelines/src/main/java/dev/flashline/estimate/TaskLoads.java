package dev.flashline.estimate;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.schema.TaskType;
import dev.flashline.task.BackendKind;
import dev.flashline.task.JobSpec;
import dev.flashline.task.OpenAiSpec;
import dev.flashline.task.PromptLayout;
import dev.flashline.task.StageSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Builds each task's {@link TaskLoad} from a {@link DocumentScan}. */
public final class TaskLoads {
  /** The confidence written into the estimated classification answer. */
  static final String ANSWER = "{\"label\": \"%s\", \"confidence\": 0.93}";
  /** Summary tokens per word of the budget. */
  public static final double TOKENS_PER_SUMMARY_WORD = 1.3;
  /** The models always priced beside the job's own. */
  public static final List<String> COMPARED = List.of("deepseek-v4-flash", "deepseek-v4-pro");

  private TaskLoads() {}

  /**
   * The model a task's first endpoint stage asks. The estimate ignores the backend: a task on the
   * local backend is priced as if it were sent to {@code openai.model}.
   */
  public static String modelOf(JobSpec task) {
    for (StageSpec stage : task.route()) {
      if (stage.backend() == BackendKind.openai) {
        return task.modelOf(stage);
      }
    }
    return task.openai().model();
  }

  /** The job's models (each task's), then deepseek-v4-flash and deepseek-v4-pro. */
  public static Set<String> models(JobSpec job) {
    Set<String> out = new LinkedHashSet<>();
    for (JobSpec task : job.taskJobs()) {
      out.add(modelOf(task));
    }
    out.addAll(COMPARED);
    return out;
  }

  /** Output-token budgets of the summary tasks, in task order (0 for a classification task). */
  public static int[] summaryBudgets(JobSpec job) {
    List<JobSpec> tasks = job.taskJobs();
    int[] out = new int[tasks.size()];
    for (int i = 0; i < out.length; i++) {
      JobSpec task = tasks.get(i);
      if (task.task() == TaskType.summarise) {
        int budget = (int) Math.round(TOKENS_PER_SUMMARY_WORD * task.summary().maxWords());
        Integer cap = task.openai().maxOutputTokens();
        out[i] = cap == null ? budget : Math.min(budget, cap);
      }
    }
    return out;
  }

  /** Mean tokens of {"label": "L", "confidence": 0.93} over the task's labels. */
  public static double classifyOutputTokens(JobSpec task) {
    DeepSeekTokenizer tokenizer = DeepSeekTokenizer.instance();
    double sum = 0;
    for (String label : task.labelNames()) {
      sum += tokenizer.count(String.format(ANSWER, label));
    }
    return task.labelNames().isEmpty() ? 0 : sum / task.labelNames().size();
  }

  /**
   * @param cascade the local sample, or null when the local model is not run
   * @param outputTokens output tokens per request, overriding the estimate; null for the estimate
   */
  public static List<TaskLoad> of(JobSpec job, DocumentScan scan, CascadeSample cascade, Integer outputTokens) {
    List<TaskLoad> out = new ArrayList<>();
    List<JobSpec> tasks = job.taskJobs();
    for (int i = 0; i < tasks.size(); i++) {
      JobSpec task = tasks.get(i);
      PromptLayout layout = PromptLayout.of(task);
      long output;
      long duplicateOutput;
      TaskLoad.Cascade measured;
      if (outputTokens != null) {
        output = (long) outputTokens * scan.distinct();
        duplicateOutput = (long) outputTokens * scan.duplicates();
      } else if (task.task() == TaskType.classify) {
        double each = classifyOutputTokens(task);
        Integer cap = task.openai().maxOutputTokens();
        if (cap != null) {
          each = Math.min(each, cap);
        }
        output = Math.round(each * scan.distinct());
        duplicateOutput = Math.round(each * scan.duplicates());
      } else {
        output = scan.summaryOutput(i);
        duplicateOutput = scan.duplicateSummaryOutput(i);
      }
      if (task.task() != TaskType.classify) {
        measured = TaskLoad.Cascade.none(CascadeSample.WHAT_IF_THRESHOLD, true);
      } else if (cascade == null) {
        measured = TaskLoad.Cascade.none(CascadeSample.threshold(task), CascadeSample.whatIf(task));
      } else {
        measured = cascade.measure(task);
      }
      out.add(new TaskLoad(
          task.name(), task.task(), modelOf(task), DocumentScan.prefixTokens(layout), layout.staticPrefix().length(),
          scan.distinct(), scan.documentTokens(), output, scan.duplicates(), scan.duplicateDocumentTokens(), duplicateOutput,
          task.cost().reuse(), measured));
    }
    return out;
  }

  /** Requests in flight: the override, else the job's openai.max_in_flight. */
  public static int inFlight(JobSpec job, Integer override) {
    return override != null ? override : job.openai().maxInFlight() == null ? OpenAiSpec.DEFAULT_MAX_IN_FLIGHT : job.openai().maxInFlight();
  }
}
