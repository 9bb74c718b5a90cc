package dev.flashline.engine;

import java.util.Arrays;

/**
 * One fixed-size page of the KV cache, as {@link BlockManager} keeps its books: who holds it, and,
 * once it is full and computed, what it holds so that a later sequence with the same prefix can
 * reuse it.
 *
 * <p>A registered block records its own tokens and its parent (the block before it in the chain,
 * with that block's {@link #generation}), so reuse is decided by comparing content, not by
 * trusting a 64-bit hash: block i is reused only if its tokens equal ours and its parent is the
 * very block we reused for i-1, still holding what it held when block i was computed. By
 * induction the whole prefix is then identical. (The eviction order, tails before their prefixes,
 * already keeps a child from outliving its parent's content; the generation check makes correctness
 * independent of that policy.)
 */
final class Block {
  static final int NO_PARENT = -1;

  final int id;
  int refCount;
  /** Bumped each time the block is handed out for new content, so stale parent links fail. */
  long generation;
  boolean registered;
  long hash;
  int[] tokens;
  int parentId = NO_PARENT;
  long parentGeneration;

  Block(int id) {
    this.id = id;
  }

  /** Whether this registered block holds {@code tokens[from, from + length)} right after {@code parent}. */
  boolean holds(int[] source, int from, int length, Block parent) {
    if (!registered) {
      return false;
    }
    boolean sameParent = parent == null
        ? parentId == NO_PARENT
        : parentId == parent.id && parentGeneration == parent.generation;
    return sameParent && Arrays.equals(tokens, 0, tokens.length, source, from, from + length);
  }

  void register(long hash, int[] source, int from, int length, Block parent) {
    this.registered = true;
    this.hash = hash;
    this.tokens = Arrays.copyOfRange(source, from, from + length);
    this.parentId = parent == null ? NO_PARENT : parent.id;
    this.parentGeneration = parent == null ? 0 : parent.generation;
  }

  /** Forget the content: the block is about to be overwritten. */
  void reset() {
    registered = false;
    tokens = null;
    parentId = NO_PARENT;
    generation++;
  }

  @Override
  public String toString() {
    return "Block[" + id + ", ref " + refCount + (registered ? ", hash " + Long.toHexString(hash) : "") + "]";
  }
}
