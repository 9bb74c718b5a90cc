package dev.flashline.engine;

import java.util.Set;

/**
 * How one sequence is sampled and when it stops.
 *
 * @param temperature 0 samples greedily (argmax); above 0 divides the logits before softmax
 * @param maxTokens the most tokens to generate, at least 1 (the prefill step samples the first)
 * @param stopTokenIds tokens that end the sequence when sampled (kept in the output ids; the
 *     detokenizer drops them). Stop strings are matched later, on text, by the caller
 * @param seed seeds the sequence's own random stream, so a sampled run is reproducible whatever
 *     else is in the batch
 * @param ignoreEos keep generating past the model's end-of-sequence token (fixed-length runs, as
 *     benchmarks want); explicit {@code stopTokenIds} still stop
 */
public record SamplingParams(double temperature, int maxTokens, Set<Integer> stopTokenIds, long seed, boolean ignoreEos) {
  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    stopTokenIds = Set.copyOf(stopTokenIds); // immutable, rejects null ids
  }

  /** Greedy decoding of at most {@code maxTokens}, stopping at the model's end-of-sequence token. */
  public static SamplingParams greedy(int maxTokens) {
    return new SamplingParams(0, maxTokens, Set.of(), 0, false);
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
