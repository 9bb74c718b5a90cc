package dev.flashline.backend.openai;

import dev.flashline.backend.InferenceBackend;
import dev.flashline.cost.AppliedPrice;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.SpendBudget;
import dev.flashline.grouping.ContentKey;
import dev.flashline.cost.TokenUsage;
import dev.flashline.cost.UnitPrices;
import dev.flashline.cost.UnpricedModelException;
import dev.flashline.schema.Charge;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import dev.flashline.task.AnswerParser;
import dev.flashline.task.BackendKind;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.ExampleTexts;
import dev.flashline.task.JobSpec;
import dev.flashline.task.PromptLayout;
import dev.flashline.task.StageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Labels or summarises one document with chat models: asks a stage's model, checks the answer,
 * asks once more with a correction when it is unusable, and moves down the cascade when the
 * answer is invalid or not confident enough. The row that comes out carries every billed request
 * of every stage the record went through.
 */
public final class OpenAiBackend implements InferenceBackend {
  public static final String NAME = BackendKind.openai.id();

  private final JobSpec job;
  private final PriceSchedule prices;
  private final ChatClient client;
  private final PromptLayout layout;
  private final AnswerParser parser;
  private final List<StageSpec> stages;
  private final ExampleTexts examples;
  private final int maxOutputTokens;
  private final SpendBudget budget;
  private final java.time.Clock clock;

  public OpenAiBackend(JobSpec job, PriceSchedule prices, ChatClient client) {
    this(job, prices, client, null, java.time.Clock.systemUTC());
  }

  /**
   * @param budget the job's cost cap, or null for none
   * @param clock prices the projection of a request against the cap
   */
  public OpenAiBackend(JobSpec job, PriceSchedule prices, ChatClient client, SpendBudget budget, java.time.Clock clock) {
    this.job = job;
    this.prices = prices;
    this.client = client;
    this.layout = PromptLayout.of(job);
    this.parser = new AnswerParser(job);
    this.stages = job.route().stream().filter(stage -> stage.backend() == BackendKind.openai).toList();
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("job '" + job.name() + "' sends nothing to an openai endpoint");
    }
    this.examples = ExampleTexts.of(job);
    this.maxOutputTokens = job.openai().maxOutputTokens() != null ? job.openai().maxOutputTokens() : layout.defaultMaxOutputTokens();
    this.budget = budget;
    this.clock = clock;
  }

  /**
   * Names what every request of this task shares: the first model asked, the static prompt and
   * the request parameters. Requests with the same key hit the same cached prefix.
   */
  public String prefixKey() {
    return prefixKey(job);
  }

  /** {@link #prefixKey()} without a client, for steps that only route records. */
  public static String prefixKey(JobSpec task) {
    PromptLayout layout = PromptLayout.of(task);
    StageSpec first = task.route().stream().filter(stage -> stage.backend() == BackendKind.openai).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("task '" + task.name() + "' sends nothing to an endpoint"));
    int maxOutput = task.openai().maxOutputTokens() != null ? task.openai().maxOutputTokens() : layout.defaultMaxOutputTokens();
    return ContentKey.of(
        task.modelOf(first), layout.staticPrefix(), Boolean.toString(layout.jsonMode()),
        Integer.toString(maxOutput), task.openai().requestOptions().toString());
  }

  /** The key under which a document's answer can be reused. */
  public String contentKey(String text) {
    return ContentKey.request(prefixKey(), text);
  }

  /** The first model a record is sent to. */
  public String firstModel() {
    return job.modelOf(stages.get(0));
  }

  /** The static prompt prefix every request of this task starts with. */
  public String staticPrefix() {
    return layout.staticPrefix();
  }

  /**
   * Warms the provider's cache for this task's prefix: one request whose input ends exactly where
   * the documents would start (an empty user turn) and asks for one token.
   *
   * @return the primer's charge and requests; the charge is null when nothing was billed
   */
  public CompletableFuture<Primer> prime() {
    String model = firstModel();
    List<ChatMessage> messages = List.of(ChatMessage.system(layout.staticPrefix()), ChatMessage.user(""));
    ChatCall call = new ChatCall(model, messages, false, 1);
    double projected = projectedUsd(model, call);
    if (budget != null && !budget.tryReserve(projected)) {
      return CompletableFuture.completedFuture(new Primer(null, 0));
    }
    return client.complete(call).thenApply(reply -> {
      Charge charge = null;
      double cost = 0;
      for (ChatAttempt attempt : reply.attempts()) {
        if (attempt.usage() != null) {
          charge = charge(null, model, 0, attempt);
          charge.setPurpose("primer");
          cost += charge.getCostUsd();
        }
      }
      if (budget != null) {
        budget.settle(projected, cost);
      }
      return new Primer(charge, reply.attempts().size());
    });
  }

  /** What a primer cost: its charge (null when unbilled) and the requests it took, retries included. */
  public record Primer(Charge charge, int attempts) {}

  /**
   * The most a request can cost: every prompt token at the miss price (a byte-level BPE token is
   * at least one UTF-8 byte, plus the chat template's markers) and every allowed output token.
   */
  private double projectedUsd(String model, ChatCall call) {
    long promptBound = 16;
    for (ChatMessage message : call.messages()) {
      promptBound += message.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 8;
    }
    try {
      UnitPrices unit = prices.priceAt(model, clock.instant()).prices();
      return (promptBound * unit.cacheMiss() + (double) call.maxOutputTokens() * unit.output()) / 1e6;
    } catch (UnpricedModelException e) {
      return 0;
    }
  }

  /** Sends a call once its projected cost fits the budget; a refused call fails with {@code budget}. */
  private CompletableFuture<ChatReply> send(ChatCall call, Trail trail, String stageName) {
    double projected = projectedUsd(call.model(), call);
    if (budget != null && !budget.tryReserve(projected)) {
      return CompletableFuture.completedFuture(new ChatReply(null,
          new CallFailure(CallFailure.Code.budget,
              String.format(java.util.Locale.ROOT, "not sent: the job's cost cap of $%.6f is reached", budget.capacity())),
          List.of()));
    }
    return client.complete(call).thenApply(reply -> {
      double cost = trail.bill(stageName, call.model(), reply);
      if (budget != null) {
        budget.settle(projected, cost);
      }
      return reply;
    });
  }

  /**
   * @param prior the local stage's row when the local model was not confident enough; null when
   *     the endpoint is the first stage
   * @return the record's one output row; completes exceptionally only with {@link EndpointAuthException}
   */
  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletableFuture<LabelledRecord> answer(Document document, LabelledRecord prior) {
    Trail trail = new Trail(document, prior);
    return runStage(0, trail).thenApply(ignored -> trail.row());
  }

  /** What one stage made of the record. */
  private record StageResult(StageSpec stage, String model, AnswerParser.Parsed answer, CallFailure failure, String rawOutput) {
    boolean ok() {
      return answer != null;
    }
  }

  /** Everything a record has been through so far. */
  private final class Trail {
    final Document document;
    final LabelledRecord prior;
    final List<Charge> charges = new ArrayList<>();
    final List<String> stageErrors = new ArrayList<>();
    int attempts;
    StageResult answer;
    StageResult fallback;
    StageResult last;

    Trail(Document document, LabelledRecord prior) {
      this.document = document;
      this.prior = prior;
      if (prior != null) {
        charges.addAll(prior.getCharges());
        attempts = prior.getAttempts();
      }
    }

    /** @return what the reply's billed attempts cost */
    double bill(String stage, String model, ChatReply reply) {
      double cost = 0;
      for (ChatAttempt attempt : reply.attempts()) {
        attempts++;
        if (attempt.usage() != null) {
          Charge charge = charge(stage, model, attempts, attempt);
          charges.add(charge);
          cost += charge.getCostUsd();
        }
      }
      return cost;
    }

    LabelledRecord row() {
      StageResult used = answer != null ? answer : fallback;
      LabelledRecord.Builder row = LabelledRecord.newBuilder().setId(document.getId()).setTask(job.task()).setTaskName(job.name());
      if (used == null && prior != null && prior.getStatus() == Status.ok) {
        // Every endpoint stage failed, but the local model did answer: its label stands.
        row.setLabel(prior.getLabel()).setConfidence(prior.getConfidence()).setBackend(prior.getBackend())
            .setModel(prior.getModel()).setStage(prior.getStage()).setStatus(Status.ok);
      } else if (used != null) {
        if (job.task() == TaskType.classify) {
          row.setLabel(used.answer().value()).setConfidence(used.answer().confidence());
        } else {
          row.setSummary(used.answer().value());
        }
        row.setBackend(NAME).setModel(used.model()).setStage(job.isCascade() ? used.stage().stage() : null).setStatus(Status.ok);
      } else {
        row.setBackend(NAME).setModel(last.model()).setStage(job.isCascade() ? last.stage().stage() : null)
            .setStatus(Status.failed).setRawOutput(last.rawOutput())
            .setError(last.failure().code() + ": " + String.join("; ", stageErrors));
      }
      long hit = 0;
      long miss = 0;
      long output = 0;
      long reasoning = 0;
      double cost = 0;
      double compute = 0;
      Charge lastCharge = null;
      for (Charge charge : charges) {
        hit += charge.getCacheHitTokens();
        miss += charge.getCacheMissTokens();
        output += charge.getOutputTokens();
        reasoning += charge.getReasoningTokens();
        cost += charge.getCostUsd();
        compute += charge.getComputeSeconds();
        lastCharge = charge;
      }
      long localTokens = prior == null ? 0 : prior.getInputTokens() - prior.getCacheHitTokens() - prior.getCacheMissTokens();
      return row.setInputTokens(localTokens + hit + miss)
          .setCacheHitTokens(hit)
          .setCacheMissTokens(miss)
          .setOutputTokens(output)
          .setReasoningTokens(reasoning)
          .setComputeSeconds(compute)
          .setCostUsd(cost)
          .setPriceTier(lastCharge == null ? null : lastCharge.getPriceTier())
          .setPriceSchedule(lastCharge == null ? null : lastCharge.getPriceSchedule())
          .setAttempts(attempts)
          .setCharges(new ArrayList<>(charges))
          .setGoldLabel(document.getGoldLabel())
          .setIsExample(prior != null ? prior.getIsExample() : examples.contains(document.getText()))
          .build();
    }
  }

  private CompletableFuture<Void> runStage(int index, Trail trail) {
    StageSpec stage = stages.get(index);
    String model = job.modelOf(stage);
    return ask(stage, model, trail)
        .thenCompose(
            result -> {
              trail.last = result;
              boolean last = index == stages.size() - 1;
              if (result.ok()) {
                Double confidence = result.answer().confidence();
                if (last || (confidence != null && confidence >= stage.acceptConfidence())) {
                  trail.answer = result;
                  return CompletableFuture.completedFuture(null);
                }
                // Below this stage's bar; kept in case every later stage fails.
                trail.fallback = result;
              } else {
                trail.stageErrors.add((job.isCascade() ? "stage " + stage.stage() + ": " : "") + result.failure().message());
                if (result.failure().code() == CallFailure.Code.insufficient_balance
                    || result.failure().code() == CallFailure.Code.budget) {
                  return CompletableFuture.completedFuture(null);
                }
              }
              return last ? CompletableFuture.completedFuture(null) : runStage(index + 1, trail);
            });
  }

  /** One stage: the question, and at most one correction. */
  private CompletableFuture<StageResult> ask(StageSpec stage, String model, Trail trail) {
    List<ChatMessage> messages = layout.messages(trail.document.getText());
    String stageName = job.isCascade() ? stage.stage() : null;
    return send(new ChatCall(model, messages, layout.jsonMode(), maxOutputTokens), trail, stageName)
        .thenCompose(
            reply -> {
              if (!reply.ok()) {
                return CompletableFuture.completedFuture(new StageResult(stage, model, null, reply.failure(), null));
              }
              String problem = problem(reply.content());
              if (problem == null) {
                return CompletableFuture.completedFuture(accepted(stage, model, reply.content()));
              }
              List<ChatMessage> corrected = layout.correction(messages, reply.content(), problem);
              return send(new ChatCall(model, corrected, layout.jsonMode(), maxOutputTokens), trail, stageName)
                  .thenApply(
                      second -> {
                        if (!second.ok() && second.failure().code() == CallFailure.Code.budget
                            && job.task() == TaskType.summarise && parser.summary(reply.content()).ok()) {
                          // No money left to ask again: the first summary, cut to the budget, beats none.
                          return accepted(stage, model, reply.content());
                        }
                        if (!second.ok()) {
                          return new StageResult(stage, model, null, second.failure(), reply.content());
                        }
                        String again = problem(second.content());
                        if (again == null || (job.task() == TaskType.summarise && parser.summary(second.content()).ok())) {
                          return accepted(stage, model, second.content());
                        }
                        return new StageResult(
                            stage, model, null,
                            new CallFailure(CallFailure.Code.invalid_output, "unusable answer after a corrective retry: " + again),
                            second.content());
                      });
            });
  }

  /** What is wrong with an answer, or null when it can be used as it is. */
  private String problem(String content) {
    if (job.task() == TaskType.classify) {
      return parser.label(content).problem();
    }
    AnswerParser.Result summary = parser.summary(content);
    return summary.ok() ? parser.overBudget(summary.parsed().value()) : summary.problem();
  }

  private StageResult accepted(StageSpec stage, String model, String content) {
    if (job.task() == TaskType.classify) {
      return new StageResult(stage, model, parser.label(content).parsed(), null, null);
    }
    // A summary still over budget after the correction is cut to the budget rather than lost.
    String summary = parser.summary(content).parsed().value();
    String fitted = parser.overBudget(summary) == null ? summary : parser.trim(summary);
    return new StageResult(stage, model, new AnswerParser.Parsed(fitted, null), null, null);
  }

  private Charge charge(String stage, String model, int attemptNumber, ChatAttempt attempt) {
    TokenUsage usage = attempt.usage();
    Charge.Builder charge =
        Charge.newBuilder()
            .setStage(stage)
            .setBackend(NAME)
            .setModel(model)
            .setAttempt(attemptNumber)
            .setCacheHitTokens(usage.cacheHitTokens())
            .setCacheMissTokens(usage.cacheMissTokens())
            .setOutputTokens(usage.outputTokens())
            .setReasoningTokens(usage.reasoningTokens());
    try {
      AppliedPrice price = prices.priceAt(model, attempt.sentAt());
      UnitPrices unit = price.prices();
      return charge
          .setPriceTier(price.tier())
          .setPriceSchedule(price.scheduleId())
          .setUsdPerMillionCacheHit(unit.cacheHit())
          .setUsdPerMillionCacheMiss(unit.cacheMiss())
          .setUsdPerMillionOutput(unit.output())
          .setCostUsd(price.usd(usage))
          .build();
    } catch (UnpricedModelException e) {
      // Checked before the job starts; a request can still fall outside the schedule (it ends, or
      // the clock is wrong). The tokens are kept and the row says why they have no price.
      return charge.setPriceTier(PriceTier.standard).setPriceSchedule("unpriced: " + e.getMessage()).setCostUsd(0).build();
    }
  }
}
