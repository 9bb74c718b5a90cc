package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.engine.models.DecoderConfig;
import dev.flashline.engine.models.InMemoryWeights;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.engine.models.ReferenceDecoder;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LabelScorerTest {
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

  @Test
  void eachLabelsLikelihoodMatchesTheReferenceAndTheProbabilitiesSumToOne() {
    LabelScorer scorer = new LabelScorer(new LlamaModel(CONFIG, WEIGHTS));
    double[] logp = scorer.logLikelihoods(PROMPT, LABELS);
    for (int l = 0; l < LABELS.size(); l++) {
      assertThat(logp[l]).as("label %d", l).isCloseTo(referenceLogLikelihood(LABELS.get(l)), Offset.offset(1e-3));
    }
    double[] p = scorer.probabilities(PROMPT, LABELS);
    assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, Offset.offset(1e-12));
    // Scoring in another order gives the same numbers: no label sees another's cache rows.
    double[] reversed = scorer.logLikelihoods(PROMPT, List.of(LABELS.get(2), LABELS.get(1), LABELS.get(0)));
    assertThat(reversed[2]).isEqualTo(logp[0]);
    assertThat(reversed[0]).isEqualTo(logp[2]);
  }

  @Test
  void emptyInputIsRefused() {
    LabelScorer scorer = new LabelScorer(new LlamaModel(CONFIG, WEIGHTS));
    assertThatThrownBy(() -> scorer.logLikelihoods(PROMPT, List.of(new int[0]))).hasMessageContaining("label 0 has no tokens");
    assertThatThrownBy(() -> scorer.logLikelihoods(new int[0], LABELS)).isInstanceOf(IllegalArgumentException.class);
  }
}
