package dev.flashline.backend.engine;

import dev.flashline.backend.InferenceBackend;
import dev.flashline.engine.LabelScorer;
import dev.flashline.engine.LoadedModel;
import dev.flashline.engine.SamplingParams;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.AnswerParser;
import dev.flashline.task.BackendKind;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import dev.flashline.task.PromptLayout;
import dev.flashline.schema.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The native backend: the job's records answered by the engine inside this JVM, with the same
 * prompts the openai backend sends (one static system message, the fenced document last), so the
 * engine's prefix cache computes the job's shared prefix once.
 *
 * <ul>
 *   <li><b>Classification</b> scores the label set instead of generating: each label's
 *       probability as the continuation of the answer {@code {"label": "}, closed by its quote.
 *       The confidence is the best label's probability among the labels.
 *   <li><b>Summaries</b> are generated greedily up to the job's budget and stop at the model's
 *       end-of-turn token; one over the budget is cut to it.
 *   <li><b>Cost:</b> each engine step's time is split over the step's sequences by the tokens each
 *       computed, so a record pays for its own uncached prompt tokens and decode steps and nothing
 *       for the prefix it reused. The engine occupies every core of the machine while it steps,
 *       so a second of engine time is billed as {@link #cores} core-seconds at
 *       {@code compute.usd_per_cpu_hour}.
 * </ul>
 *
 * <p>Thread-safe: any number of worker threads may ask at once, and the engine batches them.
 */
public final class NativeBackend implements InferenceBackend, AutoCloseable {
  public static final String NAME = BackendKind.native_.id();
  /** Opens the answer; the label and its closing quote are the scored continuation. */
  static final String ANSWER_OPENING = "{\"label\": \"";

  private final JobSpec job;
  private final SharedModels.Lease lease;
  private final PromptLayout layout;
  private final AnswerParser parser;
  private final List<int[]> labelTokens;
  private final int cores;

  private NativeBackend(JobSpec job, SharedModels.Lease lease, int cores) {
    this.job = job;
    this.lease = lease;
    this.layout = PromptLayout.of(job);
    this.parser = new AnswerParser(job);
    this.cores = cores;
    List<int[]> labels = new ArrayList<>();
    if (job.task() == TaskType.classify) {
      for (String label : job.labelNames()) {
        try {
          labels.add(lease.model().encode(label + "\""));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("label '" + label + "' cannot be scored by " + lease.model().name() + ": " + e.getMessage(), e);
        }
      }
    }
    this.labelTokens = List.copyOf(labels);
  }

  /**
   * Takes a lease on the job's shared model (loading it if this JVM has not yet).
   *
   * @throws dev.flashline.engine.loader.CheckpointException naming the file or tensor when the
   *     checkpoint cannot be loaded
   */
  public static NativeBackend open(JobSpec job) {
    SharedModels.Lease lease = SharedModels.acquire(job.nativeModel());
    try {
      return new NativeBackend(job, lease, Runtime.getRuntime().availableProcessors());
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /** The model's name in rows: the checkpoint directory's name. */
  public String model() {
    return lease.model().name();
  }

  /** Core-seconds billed per second of engine time. */
  public int cores() {
    return cores;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The record's row once the engine has answered, labelled or summarised. Completes
   * exceptionally when the record cannot be answered (a token outside the model's vocabulary, a
   * prompt longer than the whole KV cache, the engine stopped).
   *
   * @param prior must be null: the native backend can only be a cascade's first stage
   */
  @Override
  public CompletableFuture<LabelledRecord> answer(Document document, LabelledRecord prior) {
    if (prior != null) {
      throw new IllegalArgumentException("the native backend answers first in a cascade; it takes no earlier stage's row");
    }
    try {
      return job.task() == TaskType.classify ? classify(document) : summarise(document);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<LabelledRecord> classify(Document document) {
    LoadedModel model = lease.model();
    int[] prompt = model.encode(model.template().render(layout.messages(document.getText())) + ANSWER_OPENING);
    return LabelScorer.score(model::score, prompt, labelTokens).thenApply(scores -> {
      double[] p = scores.probabilities();
      int best = scores.best();
      return LabelledRecords.selfHosted(
              document.getId(), TaskType.classify, NAME, model.name(), scores.computeSeconds() * cores, job.compute(),
              scores.tokensReused(), scores.tokensComputed(), 0)
          .setLabel(job.labelNames().get(best))
          .setConfidence(p[best])
          .setGoldLabel(document.getGoldLabel())
          .build();
    });
  }

  private CompletableFuture<LabelledRecord> summarise(Document document) {
    LoadedModel model = lease.model();
    int[] prompt = model.encodeChat(layout.messages(document.getText()));
    SamplingParams params = new SamplingParams(0, layout.defaultMaxOutputTokens(), model.stopTokenIds(), 0, false);
    return model.generate(prompt, params).thenApply(seq -> {
      String text = model.answerText(seq).strip();
      String problem = parser.overBudget(text);
      return LabelledRecords.selfHosted(
              document.getId(), TaskType.summarise, NAME, model.name(), seq.computeSeconds() * cores, job.compute(),
              seq.promptTokensReused(), seq.promptTokensComputed(), seq.numGenerated())
          .setSummary(problem == null ? text : parser.trim(text))
          .build();
    });
  }

  @Override
  public void close() {
    lease.close();
  }
}
