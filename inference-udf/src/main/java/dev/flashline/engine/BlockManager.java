package dev.flashline.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bookkeeping for a paged KV cache of {@code numBlocks} blocks of {@code blockSize} token slots
 * each, with prefix sharing (the vLLM / nano-vllm design). It decides which block holds which
 * token; the model runner owns the memory and writes K/V at the slots {@link #slot} names.
 *
 * <p><b>Prefix sharing.</b> Once a block is full and its K/V computed, it is registered under a
 * chained hash of its tokens ({@link BlockHasher}). A new sequence walks its full prompt blocks
 * from the start and reuses each block already registered with the same content and the same
 * parent ({@link Block#holds}: verified, not trusted to the hash), stopping at the first miss;
 * reused blocks are shared by reference count.
 *
 * <p><b>The last prompt token is always computed.</b> Only blocks lying wholly before the last
 * token can be reused, so a sequence's cached tokens are at most {@code length - 1}: the forward
 * pass must run on the last token to produce the logits the first output token is sampled from,
 * and it writes that token's K/V into a block that is the sequence's own. The price is that a
 * prompt ending exactly on a block boundary recomputes its final block; the gain is that no
 * sequence ever writes into a shared block.
 *
 * <p><b>Freed blocks stay cached.</b> A block whose reference count drops to 0 is free, but keeps
 * its registration and can still be reused by hash until its id is handed out for new content.
 * Free blocks holding nothing reusable are handed out first, then cached ones, least recently
 * freed first; a sequence's blocks are freed last-block-first, so a prefix outlives its tails
 * (a tail is useless without its prefix).
 *
 * <p><b>Invariants</b> ({@link #verify}): a block is free iff its reference count is 0; its
 * reference count equals the number of sequences holding it; a sequence holds no more than
 * {@code ceil(length / blockSize)} blocks; its cached tokens are a whole number of blocks and fewer
 * than its length; every hash-map entry names a registered block with that hash.
 */
public final class BlockManager {
  private final int blockSize;
  private final Block[] blocks;
  private final BlockHasher hasher;
  /** Free blocks with nothing worth keeping: handed out first. */
  private final ArrayDeque<Integer> freeEmpty = new ArrayDeque<>();
  /** Free but registered blocks, least recently freed first: the reusable cache, evicted in this order. */
  private final LinkedHashSet<Integer> freeCached = new LinkedHashSet<>();
  private final Map<Long, Integer> byHash = new HashMap<>();

  public BlockManager(int numBlocks, int blockSize) {
    this(numBlocks, blockSize, BlockHasher.DEFAULT);
  }

  /** With a chosen hash function: tests inject colliding ones. */
  BlockManager(int numBlocks, int blockSize, BlockHasher hasher) {
    if (numBlocks < 1 || blockSize < 1) {
      throw new IllegalArgumentException("need at least one block of at least one token, got " + numBlocks + " blocks of " + blockSize);
    }
    this.blockSize = blockSize;
    this.hasher = hasher;
    this.blocks = new Block[numBlocks];
    for (int i = 0; i < numBlocks; i++) {
      blocks[i] = new Block(i);
      freeEmpty.add(i);
    }
  }

  public int blockSize() {
    return blockSize;
  }

  public int numBlocks() {
    return blocks.length;
  }

  public int numFreeBlocks() {
    return freeEmpty.size() + freeCached.size();
  }

  /** Blocks needed to hold the K/V of {@code tokens} tokens. */
  public int blocksFor(int tokens) {
    return (tokens + blockSize - 1) / blockSize;
  }

  /** Tokens {@link #allocate} would reuse from the prefix cache for this sequence right now. */
  public int cachedPrefixTokens(Sequence seq) {
    return match(seq).size() * blockSize;
  }

  /** Whether {@link #allocate} can succeed now. */
  public boolean canAllocate(Sequence seq) {
    List<Block> hits = match(seq);
    int fresh = blocksFor(seq.length()) - hits.size();
    int freeHits = 0; // reused blocks nobody holds come out of the free pool too
    for (Block b : hits) {
      if (b.refCount == 0) {
        freeHits++;
      }
    }
    return fresh <= numFreeBlocks() - freeHits;
  }

  /**
   * Give a sequence without blocks the blocks for all its tokens: shared ones for its cached
   * prefix, fresh ones for the rest. Sets {@link Sequence#numCachedTokens()} and its K/V length
   * to the reused tokens.
   */
  public void allocate(Sequence seq) {
    if (seq.numBlocks() != 0) {
      throw new IllegalStateException(seq + " already holds blocks");
    }
    if (!canAllocate(seq)) {
      throw new IllegalStateException("not enough free blocks for " + seq + ": " + numFreeBlocks() + " free");
    }
    List<Block> hits = match(seq);
    // Take the hits first, so fresh allocations cannot evict them.
    for (Block b : hits) {
      if (b.refCount == 0) {
        freeCached.remove(b.id);
      }
      b.refCount++;
      seq.addBlock(b.id);
    }
    for (int i = hits.size(); i < blocksFor(seq.length()); i++) {
      seq.addBlock(takeFree().id);
    }
    int cached = hits.size() * blockSize;
    seq.setNumCachedTokens(cached);
    seq.setKvLength(cached);
  }

  /** Release a sequence's blocks (finished or preempted); unheld blocks stay reusable by hash. */
  public void deallocate(Sequence seq) {
    for (int i = seq.numBlocks() - 1; i >= 0; i--) {
      Block b = blocks[seq.blockId(i)];
      if (--b.refCount == 0) {
        if (b.registered) {
          freeCached.add(b.id);
        } else {
          freeEmpty.add(b.id);
        }
      }
    }
    seq.clearBlocks();
  }

  /** Whether the next decode step's new token has a slot: a block if it starts one. */
  public boolean canAppend(Sequence seq) {
    return !needsBlock(seq) || numFreeBlocks() > 0;
  }

  /** Before a decode step: give the sequence a new block if its last token begins one. */
  public void mayAppend(Sequence seq) {
    if (needsBlock(seq)) {
      if (numFreeBlocks() == 0) {
        throw new IllegalStateException("no free block for " + seq + "; check canAppend first");
      }
      seq.addBlock(takeFree().id);
    }
  }

  /**
   * After a step computed the K/V of all the sequence's tokens so far: record that, and register
   * the blocks that became full so later sequences can reuse them. Called before the sampled token
   * is appended.
   */
  public void markComputed(Sequence seq) {
    seq.setKvLength(seq.length());
    int full = seq.length() / blockSize;
    // Registered blocks form a prefix of the table (registration goes in order): find its end.
    int first = full;
    while (first > 0 && !blocks[seq.blockId(first - 1)].registered) {
      first--;
    }
    int[] tokens = seq.tokenBuffer();
    for (int i = first; i < full; i++) {
      Block parent = i == 0 ? null : blocks[seq.blockId(i - 1)];
      long hash = hasher.hash(parent == null ? BlockHasher.ROOT : parent.hash, tokens, i * blockSize, blockSize);
      Block b = blocks[seq.blockId(i)];
      b.register(hash, tokens, i * blockSize, blockSize, parent);
      // A block with equal content may already be registered (computed again because it held
      // a prompt's last token); the newest wins, the old one still serves its holders.
      byHash.put(hash, b.id);
    }
  }

  /** The cache slot (block id x blockSize + offset) holding the K/V of the token at {@code position}. */
  public int slot(Sequence seq, int position) {
    if (position < 0 || position / blockSize >= seq.numBlocks()) {
      throw new IndexOutOfBoundsException("position " + position + " has no block in " + seq);
    }
    return seq.blockId(position / blockSize) * blockSize + position % blockSize;
  }

  /** Chained hashes of the sequence's first {@code count} full blocks (for the scheduler's grouping). */
  long[] chainHashes(Sequence seq, int count) {
    long[] hashes = new long[count];
    long h = BlockHasher.ROOT;
    for (int i = 0; i < count; i++) {
      h = hasher.hash(h, seq.tokenBuffer(), i * blockSize, blockSize);
      hashes[i] = h;
    }
    return hashes;
  }

  /**
   * Full blocks lying wholly before the last token, or before the token whose logits score the
   * first scored prompt token: the only ones the prefix cache may supply, since the others' logits
   * are needed.
   */
  int cacheableBlocks(Sequence seq) {
    return (seq.length() - 1 - seq.scoredTokens()) / blockSize;
  }

  Block block(int id) {
    return blocks[id];
  }

  /** The longest run of registered blocks that verifiably holds this sequence's leading tokens. */
  private List<Block> match(Sequence seq) {
    List<Block> hits = new ArrayList<>();
    int[] tokens = seq.tokenBuffer();
    long h = BlockHasher.ROOT;
    Block parent = null;
    for (int i = 0; i < cacheableBlocks(seq); i++) {
      h = hasher.hash(h, tokens, i * blockSize, blockSize);
      Integer id = byHash.get(h);
      if (id == null || !blocks[id].holds(tokens, i * blockSize, blockSize, parent)) {
        break;
      }
      parent = blocks[id];
      hits.add(parent);
    }
    return hits;
  }

  private boolean needsBlock(Sequence seq) {
    return seq.numBlocks() < blocksFor(seq.length());
  }

  /** A free block for new content: an empty one if any, else evict the least recently freed cached one. */
  private Block takeFree() {
    Integer id = freeEmpty.poll();
    if (id == null) {
      Iterator<Integer> oldest = freeCached.iterator();
      id = oldest.next();
      oldest.remove();
    }
    Block b = blocks[id];
    if (b.registered) {
      byHash.remove(b.hash, b.id); // only if the entry is still ours
    }
    b.reset();
    b.refCount = 1;
    return b;
  }

  /**
   * Check the invariants against the sequences that hold blocks (all running ones); throws
   * {@link IllegalStateException} naming the first broken one. For tests and debugging: O(blocks).
   */
  void verify(Collection<Sequence> holders) {
    Map<Integer, Integer> held = new HashMap<>();
    Map<Sequence, Boolean> seen = new IdentityHashMap<>();
    for (Sequence seq : holders) {
      if (seen.put(seq, true) != null) {
        throw new IllegalStateException(seq + " listed twice");
      }
      if (seq.numBlocks() > blocksFor(seq.length())) {
        throw new IllegalStateException(seq + " holds " + seq.numBlocks() + " blocks, more than its " + seq.length() + " tokens need");
      }
      if (seq.numBlocks() < blocksFor(seq.kvLength())) {
        throw new IllegalStateException(seq + " has K/V for " + seq.kvLength() + " tokens but only " + seq.numBlocks() + " blocks");
      }
      if (seq.numCachedTokens() % blockSize != 0 || seq.numCachedTokens() >= seq.length()) {
        throw new IllegalStateException(seq + " has " + seq.numCachedTokens() + " cached tokens");
      }
      boolean prefix = true;
      for (int i = 0; i < seq.numBlocks(); i++) {
        int id = seq.blockId(i);
        held.merge(id, 1, Integer::sum);
        boolean registered = blocks[id].registered;
        if (registered && !prefix) {
          throw new IllegalStateException(seq + ": registered block " + id + " after an unregistered one");
        }
        if (registered && (i + 1) * blockSize > seq.kvLength()) {
          throw new IllegalStateException(seq + ": block " + id + " registered before its K/V was computed");
        }
        prefix &= registered;
      }
    }
    Set<Integer> free = new HashSet<>(freeEmpty);
    if (free.size() != freeEmpty.size()) {
      throw new IllegalStateException("a block is on the free list twice");
    }
    for (int id : freeCached) {
      if (!free.add(id)) {
        throw new IllegalStateException("block " + id + " is on both free lists");
      }
      if (!blocks[id].registered) {
        throw new IllegalStateException("unregistered block " + id + " on the cached free list");
      }
    }
    for (Block b : blocks) {
      int count = held.getOrDefault(b.id, 0);
      if (b.refCount != count) {
        throw new IllegalStateException(b + " has refcount " + b.refCount + " but " + count + " holders");
      }
      if (free.contains(b.id) != (b.refCount == 0)) {
        throw new IllegalStateException(b + (b.refCount == 0 ? " is unheld but not free" : " is held and free"));
      }
    }
    for (Map.Entry<Long, Integer> e : byHash.entrySet()) {
      Block b = blocks[e.getValue()];
      if (!b.registered || b.hash != e.getKey()) {
        throw new IllegalStateException("hash " + Long.toHexString(e.getKey()) + " names " + b);
      }
    }
  }
}
