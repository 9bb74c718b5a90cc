package dev.flashline.engine.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.engine.kernels.Kernels;
import dev.flashline.engine.layers.KvCache;
import dev.flashline.engine.layers.PagedKvCache;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LlamaModel (fp32) against ReferenceDecoder (fp64). Tolerance: fp32 rounds each operation to a
 * relative 6e-8; through ~10 chained ops per layer over sums of 64-256 terms and 2 layers the
 * expected relative error is ~1e-6, so max |engine - reference| <= 1e-4 * max |logit| leaves two
 * orders of margin while any real bug (a wrong rotation, mask, head mapping, missing bias or norm)
 * moves logits by percents.
 */
class LlamaModelTest {
  private static final double RELATIVE_TOLERANCE = 1e-4;

  private static DecoderConfig config(int heads, int kvHeads, boolean tied) {
    return new DecoderConfig(64, 128, 2, heads, kvHeads, 64 / heads, 100, 1e-6f, 10000.0, tied);
  }

  private static int[] prompt(long seed, int length) {
    Random r = new Random(seed);
    int[] t = new int[length];
    for (int i = 0; i < length; i++) {
      t[i] = r.nextInt(100);
    }
    return t;
  }

  /** Max |engine - reference| over every logit of every position, relative to the largest logit. */
  private static double relativeError(DecoderConfig c, InMemoryWeights w, int[] tokens, String label) {
    LlamaModel model = new LlamaModel(c, w);
    float[] got = model.forwardAllLogits(VarlenBatch.prompt(tokens, 0), model.newContiguousCache()); // (tokens, vocab)
    double[][] want = new ReferenceDecoder(c, w).logits(tokens);
    double maxDiff = 0;
    double scale = 0;
    for (int t = 0; t < tokens.length; t++) {
      for (int v = 0; v < c.vocab(); v++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[t * c.vocab() + v] - want[t][v]));
        scale = Math.max(scale, Math.abs(want[t][v]));
      }
    }
    System.out.printf("%s: max |diff| %.3e, max |logit| %.3e, relative %.3e%n", label, maxDiff, scale, maxDiff / scale);
    return maxDiff / scale;
  }

  @Test
  void multiHeadUntiedMatchesReference() {
    DecoderConfig c = config(4, 4, false);
    assertThat(relativeError(c, InMemoryWeights.llama(c, 1, 0.02, false, false), prompt(7, 16), "MHA std 0.02"))
        .isLessThan(RELATIVE_TOLERANCE);
    // Larger weights make attention peaked, so position and mask mistakes cannot hide in near-uniform averages.
    assertThat(relativeError(c, InMemoryWeights.llama(c, 2, 0.3, false, false), prompt(8, 16), "MHA std 0.3"))
        .isLessThan(RELATIVE_TOLERANCE);
  }

  @Test
  void groupedQueryTiedMatchesReference() {
    DecoderConfig c = config(4, 2, true);
    assertThat(relativeError(c, InMemoryWeights.llama(c, 3, 0.02, false, false), prompt(9, 16), "GQA tied std 0.02"))
        .isLessThan(RELATIVE_TOLERANCE);
    assertThat(relativeError(c, InMemoryWeights.llama(c, 4, 0.3, false, false), prompt(10, 16), "GQA tied std 0.3"))
        .isLessThan(RELATIVE_TOLERANCE);
    DecoderConfig mqa = config(4, 1, false);
    assertThat(relativeError(mqa, InMemoryWeights.llama(mqa, 5, 0.3, false, false), prompt(11, 16), "MQA std 0.3"))
        .isLessThan(RELATIVE_TOLERANCE);
  }

  @Test
  void qwenBiasesAndHeadNormsMatchReference() {
    DecoderConfig c = config(4, 2, false);
    assertThat(relativeError(c, InMemoryWeights.llama(c, 6, 0.3, true, false), prompt(12, 16), "Qwen2 biases"))
        .isLessThan(RELATIVE_TOLERANCE);
    assertThat(relativeError(c, InMemoryWeights.llama(c, 7, 0.3, false, true), prompt(13, 16), "Qwen3 q/k norms"))
        .isLessThan(RELATIVE_TOLERANCE);
  }

  @Test
  void tiedAndUntiedHeadsDiffer() {
    DecoderConfig tied = config(4, 2, true);
    DecoderConfig untied = config(4, 2, false);
    InMemoryWeights w = InMemoryWeights.llama(untied, 3, 0.3, false, false);
    int[] p = prompt(1, 5);
    float[] a = new LlamaModel(tied, w).forward(VarlenBatch.prompt(p, 0), new LlamaModel(tied, w).newContiguousCache());
    float[] b = new LlamaModel(untied, w).forward(VarlenBatch.prompt(p, 0), new LlamaModel(untied, w).newContiguousCache());
    assertThat(a).isNotEqualTo(b);
    // Tied: the logit of a token is the final hidden state dotted with its own embedding row, by the
    // same kernel (an element of a product depends only on its own row and column, see MatmulKernel).
    LlamaModel m = new LlamaModel(tied, w);
    float[] h = m.hiddenStates(VarlenBatch.prompt(p, 0), m.newContiguousCache()); // (tokens, hidden)
    float[] e = w.floats("model.embed_tokens.weight");
    float[] dot = new float[1];
    Kernels.matmul().gemmF32(Arrays.copyOfRange(h, 4 * 64, 5 * 64), 1, Arrays.copyOfRange(e, 17 * 64, 18 * 64), 1, 64, dot);
    assertThat(a[17]).isEqualTo(dot[0]);
    assertThatThrownBy(() -> new LlamaModel(untied, InMemoryWeights.llama(tied, 3, 0.3, false, false)))
        .hasMessageContaining("lm_head.weight");
  }

  @Test
  void greedyGenerationWithCacheEqualsReference() {
    DecoderConfig c = config(4, 2, false);
    InMemoryWeights w = InMemoryWeights.llama(c, 21, 0.3, false, false);
    int[] p = prompt(22, 6);
    LlamaModel model = new LlamaModel(c, w);
    KvCache cache = model.newContiguousCache();
    int[] got = new int[20];
    float[] logits = model.forward(VarlenBatch.prompt(p, 0), cache);
    for (int s = 0; s < 20; s++) {
      got[s] = argmax(logits);
      logits = model.forward(VarlenBatch.of(new int[][] {{got[s]}}, new int[] {p.length + s}, new int[] {0}), cache);
    }
    int[] want = new ReferenceDecoder(c, w).greedy(p, 20);
    System.out.println("greedy: " + Arrays.toString(got));
    assertThat(got).isEqualTo(want);
    assertThat(Arrays.stream(got).distinct().count()).as("a non-degenerate continuation").isGreaterThan(3);
  }

  @Test
  void prefillThenDecodeEqualsFullRecomputeBitForBit() {
    DecoderConfig c = config(4, 2, false);
    LlamaModel model = new LlamaModel(c, InMemoryWeights.llama(c, 31, 0.3, true, true));
    int[] full = prompt(32, 12);
    KvCache cache = model.newContiguousCache();
    model.forward(VarlenBatch.prompt(Arrays.copyOf(full, 8), 5), cache);
    float[] step = null;
    for (int t = 8; t < 12; t++) {
      step = model.forward(VarlenBatch.of(new int[][] {{full[t]}}, new int[] {t}, new int[] {5}), cache);
    }
    float[] recomputed = model.forward(VarlenBatch.prompt(full, 0), model.newContiguousCache());
    assertThat(step).isEqualTo(recomputed);
  }

  @Test
  void batchedEqualsUnbatchedBitForBit() {
    DecoderConfig c = config(4, 2, false);
    LlamaModel model = new LlamaModel(c, InMemoryWeights.llama(c, 41, 0.3, false, false));
    int[][] prompts = {prompt(1, 5), prompt(2, 9), prompt(3, 1)};
    int[] ids = {10, 11, 12};

    KvCache batched = model.newContiguousCache();
    float[] together = model.forward(VarlenBatch.of(prompts, new int[3], ids), batched); // (3, vocab)
    KvCache alone = model.newContiguousCache();
    for (int s = 0; s < 3; s++) {
      float[] one = model.forward(VarlenBatch.prompt(prompts[s], ids[s]), alone);
      assertThat(Arrays.copyOfRange(together, s * 100, (s + 1) * 100)).isEqualTo(one);
    }
    // A mixed step: sequence 10 decodes one token while 11 and 12 prefill more of theirs.
    int[][] next = {{4}, {5, 6, 7}, {8, 9}};
    int[] starts = {5, 9, 1};
    float[] mixed = model.forward(VarlenBatch.of(next, starts, ids), batched);
    for (int s = 0; s < 3; s++) {
      float[] one = model.forward(VarlenBatch.of(new int[][] {next[s]}, new int[] {starts[s]}, new int[] {ids[s]}), alone);
      assertThat(Arrays.copyOfRange(mixed, s * 100, (s + 1) * 100)).isEqualTo(one);
    }
  }

  @Test
  void pagedCacheEqualsContiguousBitForBit() {
    DecoderConfig c = config(4, 2, false);
    LlamaModel model = new LlamaModel(c, InMemoryWeights.llama(c, 51, 0.3, false, false));
    int[][] prompts = {prompt(4, 7), prompt(5, 10)};
    PagedKvCache paged = new PagedKvCache(2, 2, 16, 12, 4);
    // Scattered, interleaved blocks: contiguity must not matter.
    paged.setBlockTable(0, new int[] {7, 2, 9});
    paged.setBlockTable(1, new int[] {0, 11, 4, 5});
    KvCache contiguous = model.newContiguousCache();
    int[] ids = {0, 1};
    assertThat(model.forward(VarlenBatch.of(prompts, new int[2], ids), paged))
        .isEqualTo(model.forward(VarlenBatch.of(prompts, new int[2], ids), contiguous));
    int[][] next = {{1, 2}, {3}};
    int[] starts = {7, 10};
    assertThat(model.forward(VarlenBatch.of(next, starts, ids), paged))
        .isEqualTo(model.forward(VarlenBatch.of(next, starts, ids), contiguous));
    // Sequence 0 now holds 9 tokens in 3 blocks of 4; a 13th would need a 4th block.
    assertThatThrownBy(() -> model.forward(VarlenBatch.of(new int[][] {{1, 2, 3, 4}}, new int[] {9}, new int[] {0}), paged))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void batchAndConfigAreValidated() {
    assertThatThrownBy(() -> new DecoderConfig(64, 128, 2, 4, 3, 16, 100, 1e-6f, 1e4, false))
        .hasMessageContaining("multiple of kvHeads");
    assertThatThrownBy(() -> new VarlenBatch(new int[] {1, 2}, new int[] {0, 2}, new int[] {0, 2}, new int[] {0}))
        .hasMessageContaining("consecutive");
    assertThatThrownBy(() -> VarlenBatch.of(new int[][] {{1}, {2}}, new int[2], new int[] {3, 3}))
        .hasMessageContaining("twice");
    DecoderConfig c = config(4, 2, false);
    LlamaModel model = new LlamaModel(c, InMemoryWeights.llama(c, 1, 0.02, false, false));
    assertThatThrownBy(() -> model.forward(VarlenBatch.prompt(new int[] {100}, 0), model.newContiguousCache()))
        .hasMessageContaining("outside vocabulary");
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
