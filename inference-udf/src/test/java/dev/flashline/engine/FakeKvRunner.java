package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * Stands in for the model runner: writes each computed token's (token id, position) into a
 * simulated paged cache at the batch's slots, then reads every sequence's whole context back
 * through its block table and checks it is exactly its tokens. So a wrongly shared or overwritten
 * block, or a wrong slot mapping, fails here as surely as it would corrupt attention.
 */
final class FakeKvRunner {
  private final BlockManager blocks;
  private final int[] kvToken;
  private final int[] kvPos;

  FakeKvRunner(BlockManager blocks) {
    this.blocks = blocks;
    this.kvToken = new int[blocks.numBlocks() * blocks.blockSize()];
    this.kvPos = new int[kvToken.length];
    Arrays.fill(kvPos, -1);
  }

  /** Run the step and return one sampled token per sequence. */
  int[] run(ScheduledBatch batch, ToIntFunction<Sequence> sampler) {
    int[] starts = batch.queryStarts();
    for (int i = 0; i < batch.size(); i++) {
      Sequence s = batch.sequences().get(i);
      // Each sequence computes a contiguous run ending at its last token: that is where logits come from.
      assertThat(batch.positions()[starts[i + 1] - 1]).isEqualTo(s.length() - 1);
      assertThat(starts[i + 1] - starts[i]).isEqualTo(s.length() - s.kvLength());
      if (batch.phase() == ScheduledBatch.Phase.DECODE) {
        assertThat(starts[i + 1] - starts[i]).isEqualTo(1);
      }
    }
    for (int t = 0; t < batch.numTokens(); t++) {
      kvToken[batch.slotMapping()[t]] = batch.tokenIds()[t];
      kvPos[batch.slotMapping()[t]] = batch.positions()[t];
    }
    int[] sampled = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Sequence s = batch.sequences().get(i);
      for (int p = 0; p < s.length(); p++) {
        int slot = blocks.slot(s, p);
        if (kvToken[slot] != s.tokenAt(p) || kvPos[slot] != p) {
          throw new AssertionError(s + " reads token " + kvToken[slot] + "@" + kvPos[slot] + " at position " + p + ", expected " + s.tokenAt(p));
        }
      }
      sampled[i] = sampler.applyAsInt(s);
    }
    return sampled;
  }

  /** A deterministic "model": the next token depends only on the sequence's content. */
  static int nextToken(Sequence s) {
    int h = s.length();
    for (int p = Math.max(0, s.length() - 3); p < s.length(); p++) {
      h = h * 31 + s.tokenAt(p);
    }
    return 100 + Math.floorMod(h, 50);
  }
}
