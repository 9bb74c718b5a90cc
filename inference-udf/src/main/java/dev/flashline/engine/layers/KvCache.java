package dev.flashline.engine.layers;

/**
 * Keys and values of the tokens a sequence has seen so far, per layer, so that decoding one token
 * attends to its past without recomputing it. A token's entry is a row of {@code kvHeads *
 * headDim} floats (heads outermost) at {@link #offset} in the array {@link #keys} or {@link
 * #values} returns for its sequence: one array per sequence (contiguous) or one pool shared by all
 * sequences and addressed through a block table (paged) both fit this shape, so attention reads
 * either without knowing which.
 *
 * <p>Sequences are named by an int id the caller chooses (a scheduler slot, a request number).
 * Writes for different sequences, or different layers, may run concurrently; one sequence's rows
 * are written before they are read (the model writes a layer's new keys, then attends).
 */
public interface KvCache {
  int layers();

  int kvHeads();

  int headDim();

  /** Floats per token per layer: {@code kvHeads * headDim}. */
  default int rowSize() {
    return kvHeads() * headDim();
  }

  /**
   * Makes positions {@code [0, length)} of {@code seq} addressable. Called once per forward pass
   * before any layer writes; a contiguous cache grows here, a paged cache checks that the block
   * table the scheduler gave it covers {@code length}.
   */
  void reserve(int seq, int length);

  /** The array holding {@code seq}'s keys for {@code layer}; stable until the next reserve. */
  float[] keys(int layer, int seq);

  /** The array holding {@code seq}'s values for {@code layer}; stable until the next reserve. */
  float[] values(int layer, int seq);

  /** Index in {@link #keys}/{@link #values} of the (kvHeads, headDim) row of token {@code position}. */
  int offset(int seq, int position);

  /** Forgets a finished sequence, returning its storage. */
  void release(int seq);

  /**
   * Stores one token's key and value rows.
   *
   * @param k (kvHeads, headDim) read from {@code kOff}
   * @param v (kvHeads, headDim) read from {@code vOff}
   */
  default void write(int layer, int seq, int position, float[] k, int kOff, float[] v, int vOff) {
    int at = offset(seq, position);
    System.arraycopy(k, kOff, keys(layer, seq), at, rowSize());
    System.arraycopy(v, vOff, values(layer, seq), at, rowSize());
  }
}
