package dev.flashline.estimate;

/**
 * How many prompt tokens of one task's requests the provider's context cache serves, under
 * DeepSeek's rules as the project's test server follows them (see docs/estimate.md):
 *
 * <ul>
 *   <li>a unit is created when a request finishes: at the end of each user message, so a primer
 *       {@code [system P, user ""]} creates exactly the prefix unit of P tokens; and at the longest
 *       prefix shared with an earlier finished request, rounded down to a multiple of {@value
 *       #GRANULE} tokens (the "common-prefix unit");
 *   <li>a request hits the longest finished unit that is a prefix of its prompt, so requests in
 *       flight before anything has finished all miss.
 * </ul>
 *
 * <p>A task's requests all start with the same P prefix tokens (BOS, system message, the user
 * marker) and then the fenced document, whose first {@code lead} tokens ({@code <document>} and
 * the newline) are the same for every document. The common-prefix unit is therefore
 * {@code floor((P + lead) / 64) * 64} tokens.
 */
public final class CachePrediction {
  /** Common-prefix units are cut down to a multiple of this many tokens. */
  public static final int GRANULE = 64;
  /** The first two requests sharing a prefix both miss: the second is what detects it. */
  public static final int MIN_COLD = 2;

  private CachePrediction() {}

  /** How the requests are sent. */
  public enum Scenario {
    /** No grouping, no priming: the requests of all tasks interleaved in arrival order. */
    arrival_order,
    /** Grouped by prompt prefix, each task's requests together, no primer. */
    grouped,
    /** Grouped and primed: one primer per task, then every request hits the prefix (the default). */
    grouped_primed,
    /** The bound: every request hits its whole prefix, nothing else is paid for. */
    ideal
  }

  /** Hit tokens of one task in one scenario, and the primer it pays for. */
  public record TaskHits(long hitTokens, long cold, long primers, long primerMissTokens, long primerOutputTokens) {}

  /** The common-prefix unit: the prefix and the shared document lead, cut down to a multiple of 64. */
  public static long commonUnit(long prefixTokens, long lead) {
    return (prefixTokens + lead) / GRANULE * GRANULE;
  }

  /**
   * Requests of one task that miss entirely when all tasks' requests arrive interleaved: its share
   * of the first {@code inFlight} requests overall, at least {@value #MIN_COLD}, at most its own.
   */
  public static long coldInArrivalOrder(long requests, long allRequests, int inFlight) {
    if (requests <= 0) {
      return 0;
    }
    long share = Math.round((double) inFlight * requests / Math.max(1, allRequests));
    return Math.min(requests, Math.max(MIN_COLD, share));
  }

  /** Requests of a task sent as one group, unprimed, that miss: its first wave. */
  public static long coldGrouped(long requests, int inFlight) {
    if (requests <= 0) {
      return 0;
    }
    return Math.min(requests, Math.max(MIN_COLD, inFlight));
  }

  /**
   * @param requests requests of the task (distinct documents)
   * @param allRequests requests of all tasks together (for {@link Scenario#arrival_order})
   * @param inFlight requests in flight at once
   * @param prefixTokens P
   * @param lead document tokens every request shares after the prefix
   * @param primed whether the pipeline primes this task in {@link Scenario#grouped_primed}
   *     (otherwise that scenario is {@link Scenario#grouped} for the task)
   */
  public static TaskHits hits(
      Scenario scenario, long requests, long allRequests, int inFlight, long prefixTokens, long lead, boolean primed) {
    if (requests <= 0) {
      return new TaskHits(0, 0, 0, 0, 0);
    }
    long unit = commonUnit(prefixTokens, lead);
    return switch (scenario) {
      case ideal -> new TaskHits(requests * prefixTokens, 0, 0, 0, 0);
      case arrival_order -> {
        long cold = coldInArrivalOrder(requests, allRequests, inFlight);
        yield new TaskHits((requests - cold) * unit, cold, 0, 0, 0);
      }
      case grouped -> {
        long cold = coldGrouped(requests, inFlight);
        yield new TaskHits((requests - cold) * unit, cold, 0, 0, 0);
      }
      case grouped_primed -> {
        if (!primed) {
          yield hits(Scenario.grouped, requests, allRequests, inFlight, prefixTokens, lead, false);
        }
        // The first wave hits the primer's unit; later requests may also find a common-prefix
        // unit, which is longer when P + lead crosses a multiple of 64.
        long wave = Math.min(requests, Math.max(1, inFlight));
        long hit = wave * prefixTokens + (requests - wave) * Math.max(prefixTokens, unit);
        // The primer: the prefix and the assistant marker, all missed, and one output token.
        yield new TaskHits(hit, 0, 1, prefixTokens + 1, 1);
      }
    };
  }
}
