package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.engine.models.DecoderConfig;
import dev.flashline.engine.models.InMemoryWeights;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.engine.models.ReferenceDecoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LabelScorerTest {
  private static final int BLOCK = 4;
  private static final DecoderConfig CONFIG = new DecoderConfig(64, 128, 2, 4, 2, 16, 100, 1e-5f, 10000, false);
  private static final InMemoryWeights WEIGHTS = InMemoryWeights.llama(CONFIG, 9, 0.3, false, false);
  private static final int[] PROMPT = {4, 8, 15, 16, 23, 42, 7};
  // Labels of different lengths, the longest first, so a later label overwrites cache rows a
  // longer one wrote: its score must not see them.
  private static final List<int[]> LABELS = List.of(new int[] {11, 12, 13, 14}, new int[] {21}, new int[] {31, 32});

  /** log P(label | prompt) by recomputing prompt + label from scratch in double precision. */
  private static double referenceLogLikelihood(int[] label) {
    int[] all = new int[PROMPT.length + label.length];
    System.arraycopy(PROMPT, 0, all, 0, PROMPT.length);
    System.arraycopy(label, 0, all, PROMPT.length, label.length);
    double[][] logits = new ReferenceDecoder(CONFIG, WEIGHTS).logits(all);
    double logp = 0;
    for (int j = 0; j < label.length; j++) {
      double[] row = logits[PROMPT.length - 1 + j];
      double max = Double.NEGATIVE_INFINITY;
      for (double v : row) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : row) {
        sum += Math.exp(v - max);
      }
      logp += row[label[j]] - max - Math.log(sum);
    }
    return logp;
  }

  /** Runs the scorer on an engine this thread steps until every scoring sequence has finished. */
  private static LabelScorer.Scores score(LlmEngine engine, int[] prompt, List<int[]> labels) {
    Map<Sequence, CompletableFuture<Sequence>> pending = new LinkedHashMap<>();
    CompletableFuture<LabelScorer.Scores> scores = LabelScorer.score((p, k) -> {
      CompletableFuture<Sequence> done = new CompletableFuture<>();
      pending.put(engine.submit(p, SamplingParams.greedy(1), k), done);
      return done;
    }, prompt, labels);
    while (pending.keySet().stream().anyMatch(seq -> !seq.isFinished())) {
      assertThat(engine.step()).isTrue();
    }
    pending.forEach((seq, done) -> done.complete(seq));
    return scores.join();
  }

  private static LlmEngine engine() {
    return new LlmEngine(new LlamaModel(CONFIG, WEIGHTS), 64, BLOCK, 8, 256, -1);
  }

  @Test
  void eachLabelsLikelihoodMatchesTheReferenceAndTheProbabilitiesSumToOne() {
    LabelScorer.Scores scores = score(engine(), PROMPT, LABELS);
    double[] logp = scores.logLikelihoods();
    for (int l = 0; l < LABELS.size(); l++) {
      assertThat(logp[l]).as("label %d", l).isCloseTo(referenceLogLikelihood(LABELS.get(l)), Offset.offset(1e-3));
    }
    double[] p = scores.probabilities();
    assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, Offset.offset(1e-12));
    assertThat(scores.best()).isEqualTo(argmax(logp));
    // Scoring in another order gives the same numbers: no label sees another's tokens.
    double[] reversed = score(engine(), PROMPT, List.of(LABELS.get(2), LABELS.get(1), LABELS.get(0))).logLikelihoods();
    assertThat(reversed[2]).isEqualTo(logp[0]);
    assertThat(reversed[0]).isEqualTo(logp[2]);
  }

  @Test
  void thePromptsWholeBlocksAreComputedOnceAndReusedBitIdentically() {
    LlmEngine engine = engine();
    LabelScorer.Scores cold = score(engine, PROMPT, LABELS);
    // Three labels of one prompt arriving together: the prompt's one whole block (PROMPT has 7
    // tokens, blocks of 4) is computed by the first label only.
    int wholeBlocks = (PROMPT.length / BLOCK) * BLOCK;
    assertThat(cold.tokensReused()).isEqualTo((long) (LABELS.size() - 1) * wholeBlocks);
    long allTokens = LABELS.stream().mapToLong(l -> PROMPT.length + l.length).sum();
    assertThat(cold.tokensComputed()).isEqualTo(allTokens - cold.tokensReused());
    assertThat(cold.computeSeconds()).isPositive();

    // The same record again: every label finds the block in the cache, and scores the same.
    LabelScorer.Scores warm = score(engine, PROMPT, LABELS);
    assertThat(warm.tokensReused()).isEqualTo((long) LABELS.size() * wholeBlocks);
    assertThat(warm.logLikelihoods()).containsExactly(cold.logLikelihoods());
  }

  @Test
  void theScoredTokensAreNeverTakenFromTheCache() {
    LlmEngine engine = engine();
    // 8 prompt tokens + a 4-token label = 12: three whole blocks, but the label's logits come
    // from positions 7..10, so only the first block (positions 0..3) may be reused.
    int[] prompt = {4, 8, 15, 16, 23, 42, 7, 9};
    List<int[]> label = List.of(new int[] {11, 12, 13, 14});
    LabelScorer.Scores first = score(engine, prompt, label);
    LabelScorer.Scores again = score(engine, prompt, label);
    assertThat(again.sequences().get(0).numCachedTokens()).isEqualTo(BLOCK);
    assertThat(again.logLikelihoods()).containsExactly(first.logLikelihoods());
  }

  private static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void emptyInputIsRefused() {
    LlmEngine engine = engine();
    assertThatThrownBy(() -> score(engine, PROMPT, List.of(new int[0]))).hasMessageContaining("label 0 has no tokens");
    assertThatThrownBy(() -> score(engine, new int[0], LABELS)).isInstanceOf(IllegalArgumentException.class);
  }
}
