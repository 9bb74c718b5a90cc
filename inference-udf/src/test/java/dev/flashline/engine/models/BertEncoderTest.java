package dev.flashline.engine.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * BertEncoder (fp32) against ReferenceEncoder (fp64). LayerNorm output is O(1), so an absolute
 * bound of 1e-4 is the same 1e-4 relative budget as for the decoder; float error is ~1e-6.
 */
class BertEncoderTest {
  private static final BertConfig CONFIG = new BertConfig(64, 128, 2, 4, 100, 32, 2, 1e-12f, 0);

  private static double maxDiff(BertConfig c, InMemoryWeights w, String prefix, int[] tokens, String label) {
    float[] got = new BertEncoder(c, w).encode(tokens, null, new int[] {0, tokens.length}); // (tokens, hidden)
    double[][] want = new ReferenceEncoder(c, w, prefix).encode(tokens);
    double max = 0;
    for (int t = 0; t < tokens.length; t++) {
      for (int i = 0; i < c.hidden(); i++) {
        max = Math.max(max, Math.abs(got[t * c.hidden() + i] - want[t][i]));
      }
    }
    System.out.printf("%s: max |diff| %.3e%n", label, max);
    return max;
  }

  @Test
  void matchesReference() {
    int[] tokens = {5, 17, 99, 3, 42, 42, 0, 64, 8, 1, 77};
    assertThat(maxDiff(CONFIG, InMemoryWeights.bert(CONFIG, 1, 0.02, ""), "", tokens, "BERT std 0.02")).isLessThan(1e-4);
    assertThat(maxDiff(CONFIG, InMemoryWeights.bert(CONFIG, 2, 0.3, ""), "", tokens, "BERT std 0.3")).isLessThan(1e-4);
    // XLM-RoBERTa numbering (positions from 2) and the "bert." prefix of BertForX checkpoints.
    BertConfig roberta = new BertConfig(64, 128, 2, 4, 100, 32, 1, 1e-5f, 2);
    assertThat(maxDiff(roberta, InMemoryWeights.bert(roberta, 3, 0.3, "bert."), "bert.", tokens, "RoBERTa-style"))
        .isLessThan(1e-4);
  }

  @Test
  void batchedTextsEqualTextsAloneBitForBit() {
    BertEncoder encoder = new BertEncoder(CONFIG, InMemoryWeights.bert(CONFIG, 4, 0.3, ""));
    int[][] texts = {{1, 2, 3}, {4, 5, 6, 7, 8, 9, 10}, {11}};
    float[] together = encoder.embed(texts); // (3, hidden)
    for (int s = 0; s < texts.length; s++) {
      assertThat(Arrays.copyOfRange(together, s * 64, (s + 1) * 64)).isEqualTo(encoder.embed(new int[][] {texts[s]}));
    }
  }

  @Test
  void meanPoolingAveragesThenNormalises() {
    float[] hidden = {0, 0, 6, 8, 10, 10}; // (tokens 3, hidden 2): texts [0,2) and [2,3)
    float[] e = BertEncoder.meanPoolNormalize(hidden, 2, new int[] {0, 2, 3});
    assertThat((double) e[0]).isCloseTo(0.6, within(1e-7)); // mean (3, 4), length 5
    assertThat((double) e[1]).isCloseTo(0.8, within(1e-7));
    assertThat((double) e[2]).isCloseTo(Math.sqrt(0.5), within(1e-7));
  }
}
