package dev.flashline.estimate;

import dev.flashline.cost.UnitPrices;
import dev.flashline.estimate.CachePrediction.Scenario;
import dev.flashline.estimate.CachePrediction.TaskHits;
import dev.flashline.grouping.PrimingPolicy;
import dev.flashline.task.CostSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The predicted bill of a job: for each way of sending (see {@link Scenario}), with and without
 * the local cascade, the tokens the provider would bill and what they cost for each model and
 * price tier. Pure arithmetic over {@link TaskLoad}s; nothing is read or called here.
 *
 * @param tasks what each task sends
 * @param prices the price columns
 * @param inFlight C, requests in flight at once
 * @param lead document tokens every request of a task shares after its prefix
 * @param records documents the estimate covers (duplicates included), for per-1,000 figures
 * @param jobScenario the scenario the job's own cost settings choose
 * @param withoutCascade every document sent to the model
 * @param withCascade only what a local first stage would escalate
 */
public record CostEstimate(
    List<TaskLoad> tasks,
    PriceColumns prices,
    int inFlight,
    long lead,
    long records,
    Scenario jobScenario,
    Map<Scenario, Result> withoutCascade,
    Map<Scenario, Result> withCascade) {

  /**
   * The billed tokens of one scenario and what they cost. Prompt, miss and the ratio include the
   * primers' requests.
   *
   * @param costs model -> tier -> USD, every task sent to that model
   * @param asConfigured tier -> USD, each task sent to its own model; empty when one of them is unpriced
   * @param primed task name -> whether it is primed in this scenario
   */
  public record Result(
      long requests,
      long promptTokens,
      long hitTokens,
      long missTokens,
      long outputTokens,
      long primers,
      Map<String, Map<String, Double>> costs,
      Map<String, Double> asConfigured,
      Map<String, Boolean> primed) {
    public double hitRatio() {
      return promptTokens == 0 ? 0 : (double) hitTokens / promptTokens;
    }
  }

  /** Token totals of one task in one scenario. */
  record Tokens(long requests, long prompt, long hit, long output, long primers, long primerPrompt, long primerOutput) {
    long miss() {
      return prompt + primerPrompt - hit;
    }

    double usd(UnitPrices p) {
      return (hit * p.cacheHit() + miss() * p.cacheMiss() + (output + primerOutput) * p.output()) / 1e6;
    }
  }

  /**
   * @param cost the job's cost settings: its priming mode decides whether a small task is worth a
   *     primer in {@link Scenario#grouped_primed} (priming off counts as auto there, since that
   *     scenario asks what priming would do); grouping and priming choose {@link #jobScenario}
   */
  public static CostEstimate compute(
      List<TaskLoad> tasks, PriceColumns prices, int inFlight, long lead, long records, CostSpec cost) {
    Scenario job = !cost.grouping() ? Scenario.arrival_order
        : cost.priming() == CostSpec.Priming.off ? Scenario.grouped : Scenario.grouped_primed;
    CostSpec.Priming mode = cost.priming() == CostSpec.Priming.off ? CostSpec.Priming.auto : cost.priming();
    Map<Scenario, Result> without = new EnumMap<>(Scenario.class);
    Map<Scenario, Result> with = new EnumMap<>(Scenario.class);
    for (Scenario scenario : Scenario.values()) {
      without.put(scenario, scenario(scenario, tasks, prices, inFlight, lead, cost.batchSize(), mode, false));
      with.put(scenario, scenario(scenario, tasks, prices, inFlight, lead, cost.batchSize(), mode, true));
    }
    return new CostEstimate(List.copyOf(tasks), prices, inFlight, lead, records, job, without, with);
  }

  private static Result scenario(
      Scenario scenario, List<TaskLoad> tasks, PriceColumns prices, int inFlight, long lead, int batchSize,
      CostSpec.Priming mode, boolean cascade) {
    long all = 0;
    for (TaskLoad t : tasks) {
      all += sent(t, cascade);
    }
    List<Tokens> perTask = new ArrayList<>();
    Map<String, Boolean> primed = new LinkedHashMap<>();
    for (TaskLoad t : tasks) {
      double share = cascade ? t.cascade().escalatedShare() : 1.0;
      long requests = sent(t, cascade);
      boolean primes = scenario == Scenario.grouped_primed && primes(t, requests, inFlight, batchSize, mode, prices);
      primed.put(t.name(), primes);
      TaskHits hits = CachePrediction.hits(scenario, requests, all, inFlight, t.prefixTokens(), lead, primes);
      long prompt = requests * t.prefixTokens() + Math.round(t.documentTokens() * share);
      long output = Math.round(t.outputTokens() * share);
      long hit = hits.hitTokens();
      long sentRequests = requests;
      if (!t.reuse()) {
        // Each duplicate is asked again; once its first copy has finished, the unit at the end of
        // the user input covers all of its prompt but the assistant marker.
        long dups = Math.round(t.duplicates() * share);
        long dupPrompt = dups * t.prefixTokens() + Math.round(t.duplicateDocumentTokens() * share);
        prompt += dupPrompt;
        output += Math.round(t.duplicateOutputTokens() * share);
        hit += scenario == Scenario.ideal ? dups * t.prefixTokens() : dupPrompt - dups;
        sentRequests += dups;
      }
      perTask.add(new Tokens(sentRequests, prompt, hit, output, hits.primers(), hits.primerMissTokens(), hits.primerOutputTokens()));
    }
    long requests = 0, prompt = 0, hit = 0, output = 0, primers = 0;
    for (Tokens t : perTask) {
      requests += t.requests() + t.primers();
      prompt += t.prompt() + t.primerPrompt();
      hit += t.hit();
      output += t.output() + t.primerOutput();
      primers += t.primers();
    }
    Map<String, Map<String, Double>> costs = new LinkedHashMap<>();
    prices.models().forEach((model, byTier) -> {
      Map<String, Double> row = new LinkedHashMap<>();
      byTier.forEach((tier, unit) -> row.put(tier, perTask.stream().mapToDouble(t -> t.usd(unit)).sum()));
      costs.put(model, row);
    });
    Map<String, Double> asConfigured = new LinkedHashMap<>();
    if (tasks.stream().allMatch(t -> prices.models().containsKey(t.model()))) {
      for (String tier : prices.tiers()) {
        double usd = 0;
        for (int i = 0; i < tasks.size(); i++) {
          usd += perTask.get(i).usd(prices.prices(tasks.get(i).model(), tier));
        }
        asConfigured.put(tier, usd);
      }
    }
    return new Result(requests, prompt, hit, prompt - hit, output, primers, costs, asConfigured, primed);
  }

  /** Requests a task sends: its distinct documents, or the escalated share of them. */
  static long sent(TaskLoad t, boolean cascade) {
    return cascade ? Math.round(t.requests() * t.cascade().escalatedShare()) : t.requests();
  }

  /**
   * Whether the pipeline would prime the task's first batch, by its own rule ({@link
   * PrimingPolicy}): the prefix estimated at four characters a token, the task's model at the
   * first tier of the columns (when the model is unpriced: primed whenever there are two requests).
   */
  static boolean primes(TaskLoad t, long requests, int inFlight, int batchSize, CostSpec.Priming mode, PriceColumns prices) {
    if (requests <= 0) {
      return false;
    }
    UnitPrices unit = prices.prices(t.model(), prices.tiers().get(0));
    int group = (int) Math.min(requests, batchSize);
    long prefixTokens = Math.max(1, t.prefixChars() / 4);
    if (unit == null) {
      return mode == CostSpec.Priming.always || group > 1;
    }
    return new PrimingPolicy(mode).shouldPrime(false, group, inFlight, prefixTokens, unit);
  }

  /** The result of a scenario. */
  public Result result(Scenario scenario, boolean cascade) {
    return (cascade ? withCascade : withoutCascade).get(scenario);
  }
}
