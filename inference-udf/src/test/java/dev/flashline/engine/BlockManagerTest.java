package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Paged KV bookkeeping: sharing, verification against collisions, the last-token rule, eviction. */
class BlockManagerTest {
  private static final int BS = 4;

  private static int[] tokens(int from, int n) {
    return IntStream.range(from, from + n).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
  }

  private static Sequence seq(long id, int[] prompt) {
    return new Sequence(id, prompt, SamplingParams.greedy(8));
  }

  /** What a prefill step does to the books: compute the K/V, then the sampled token joins. */
  private static void prefill(BlockManager m, Sequence s, int sampled) {
    m.allocate(s);
    m.markComputed(s);
    s.appendToken(sampled);
  }

  @Test
  void twoSequencesWithASharedThreeBlockPrefixShareExactlyThoseBlocks() {
    BlockManager m = new BlockManager(32, BS);
    int[] prefix = tokens(100, 3 * BS);
    Sequence a = seq(1, concat(prefix, tokens(200, 5)));
    Sequence b = seq(2, concat(prefix, tokens(300, 6)));
    prefill(m, a, 7);
    assertThat(m.cachedPrefixTokens(b)).isEqualTo(3 * BS);
    m.allocate(b);

    assertThat(b.numCachedTokens()).isEqualTo(3 * BS);
    assertThat(b.kvLength()).isEqualTo(3 * BS);
    int[] ta = a.blockTable();
    int[] tb = b.blockTable();
    for (int i = 0; i < 3; i++) {
      assertThat(tb[i]).isEqualTo(ta[i]);
      assertThat(m.block(ta[i]).refCount).isEqualTo(2);
    }
    assertThat(tb.length).isEqualTo(m.blocksFor(b.length()));
    assertThat(IntStream.of(tb).skip(3).boxed().toList()).doesNotContainAnyElementsOf(IntStream.of(ta).boxed().toList());
    m.verify(List.of(a, b));
  }

  @Test
  void aCollidingHashNeverSharesDifferentContent() {
    BlockHasher collide = (parent, toks, from, len) -> 42L; // every block, every prefix: one hash
    BlockManager m = new BlockManager(32, BS, collide);
    Sequence a = seq(1, concat(tokens(0, 2 * BS), tokens(50, 3)));
    prefill(m, a, 9);
    // Same first block, different second: with one hash for everything, only content can tell.
    Sequence b = seq(2, concat(concat(tokens(0, BS), tokens(70, BS)), tokens(50, 3)));
    m.allocate(b);
    assertThat(b.numCachedTokens()).isZero(); // the map holds a's block 1 under 42, which is not b's block 0
    m.verify(List.of(a, b));
  }

  @Test
  void aBlockIsReusedOnlyAfterItsOwnParent() {
    // A hash blind to the parent: equal blocks collide whatever precedes them.
    BlockManager m = new BlockManager(32, BS, (parent, toks, from, len) -> toks[from]);
    int[] x = tokens(0, BS);
    int[] y = tokens(10, BS);
    int[] z = tokens(20, BS);
    int[] tail = tokens(50, 3);
    Sequence a = seq(1, concat(concat(x, y), tail));
    prefill(m, a, 9);
    Sequence zw = seq(2, concat(concat(z, tokens(30, BS)), tail));
    prefill(m, zw, 9);
    // z hits zw's first block; y's hash finds a's second block, whose parent is x, not z.
    Sequence c = seq(3, concat(concat(z, y), tail));
    m.allocate(c);
    assertThat(c.numCachedTokens()).isEqualTo(BS);
    assertThat(c.blockId(1)).isNotEqualTo(a.blockId(1));
    m.verify(List.of(a, zw, c));
  }

  @Test
  void aCollidingHashStillSharesIdenticalPrefixesWhenTheEntryIsTheirs() {
    BlockManager m = new BlockManager(32, BS, (parent, toks, from, len) -> toks[from] % 2);
    Sequence a = seq(1, concat(tokens(10, BS), tokens(50, 3))); // first block hashes to 0
    prefill(m, a, 1);
    Sequence b = seq(2, concat(tokens(10, BS), tokens(60, 2)));
    m.allocate(b);
    assertThat(b.numCachedTokens()).isEqualTo(BS);
    assertThat(b.blockId(0)).isEqualTo(a.blockId(0));
  }

  @Test
  void theLastPromptTokenIsNeverServedFromTheCache() {
    BlockManager m = new BlockManager(32, BS);
    int[] prompt = tokens(0, 3 * BS); // ends exactly on a block boundary
    Sequence a = seq(1, prompt);
    prefill(m, a, 5);
    Sequence b = seq(2, prompt);
    m.allocate(b);
    // Blocks 0 and 1 are reused; block 2 holds the last token, so b computes it into its own block.
    assertThat(b.numCachedTokens()).isEqualTo(2 * BS);
    assertThat(b.blockId(2)).isNotEqualTo(a.blockId(2));
    assertThat(m.block(b.blockId(2)).refCount).isEqualTo(1);
    // A one-token prompt can reuse nothing at all.
    Sequence one = seq(3, new int[] {0});
    m.allocate(one);
    assertThat(one.numCachedTokens()).isZero();
    m.verify(List.of(a, b, one));
  }

  @Test
  void freedBlocksStayReusableUntilTheirIdIsNeededAndPrefixesOutliveTails() {
    BlockManager m = new BlockManager(4, BS);
    Sequence a = seq(1, tokens(0, 3 * BS + 1)); // 4 blocks, 3 registered after the step
    prefill(m, a, 5);
    m.deallocate(a);
    assertThat(m.numFreeBlocks()).isEqualTo(4);
    Sequence again = seq(2, tokens(0, 3 * BS + 2));
    assertThat(m.cachedPrefixTokens(again)).isEqualTo(3 * BS);

    // A cold 2-block sequence takes the empty block, then evicts a's last registered block (freed
    // first), not its prefix.
    Sequence cold = seq(3, tokens(500, 2 * BS));
    m.allocate(cold);
    assertThat(m.cachedPrefixTokens(again)).isEqualTo(2 * BS);
    m.deallocate(cold);
    m.allocate(again);
    assertThat(again.numCachedTokens()).isEqualTo(2 * BS);
    m.verify(List.of(again));
  }

  @Test
  void canAllocateCountsReusedFreeBlocksAgainstThePool() {
    BlockManager m = new BlockManager(3, BS);
    Sequence a = seq(1, tokens(0, 2 * BS + 1));
    prefill(m, a, 5);
    m.deallocate(a); // 2 cached free blocks + 1 empty
    Sequence b = seq(2, tokens(0, 2 * BS + 3)); // reuses 2, needs 1 fresh
    assertThat(m.canAllocate(b)).isTrue();
    m.allocate(b);
    assertThat(m.numFreeBlocks()).isZero();
    Sequence c = seq(3, tokens(0, 2 * BS + 1)); // reuses b's 2 held blocks, needs 1 fresh: none
    assertThat(m.canAllocate(c)).isFalse();
    assertThatThrownBy(() -> m.allocate(c)).isInstanceOf(IllegalStateException.class);
    m.verify(List.of(b));
  }

  @Test
  void decodeTakesABlockAtEachBoundaryAndRegistersFullBlocks() {
    BlockManager m = new BlockManager(8, BS);
    Sequence a = seq(1, tokens(0, BS - 1));
    prefill(m, a, 90); // length BS: its one block is full but the new token's K/V is not computed
    assertThat(m.block(a.blockId(0)).registered).isFalse();
    for (int step = 0; step < 2 * BS; step++) {
      assertThat(m.canAppend(a)).isTrue();
      m.mayAppend(a);
      assertThat(a.numBlocks()).isEqualTo(m.blocksFor(a.length()));
      m.markComputed(a);
      a.appendToken(91 + step);
      m.verify(List.of(a));
    }
    // 3 * BS - 1 tokens, 3 * BS - 2 computed: 2 full blocks registered, the third partial.
    assertThat(m.block(a.blockId(1)).registered).isTrue();
    assertThat(m.block(a.blockId(2)).registered).isFalse();
    Sequence b = seq(2, concat(a.tokenIds(), tokens(0, 3)));
    assertThat(m.cachedPrefixTokens(b)).isEqualTo(2 * BS);
  }

  @Test
  void slotsAddressBlockAndOffset() {
    BlockManager m = new BlockManager(8, BS);
    Sequence filler = seq(1, tokens(900, 2 * BS));
    m.allocate(filler);
    Sequence s = seq(2, tokens(0, BS + 2));
    m.allocate(s);
    assertThat(m.slot(s, 0)).isEqualTo(s.blockId(0) * BS);
    assertThat(m.slot(s, BS + 1)).isEqualTo(s.blockId(1) * BS + 1);
    assertThatThrownBy(() -> m.slot(s, 2 * BS)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
