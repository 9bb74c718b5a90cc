package dev.flashline.engine.layers;

import java.util.HashMap;
import java.util.Map;

/**
 * A KV cache in fixed-size blocks shared by all sequences, as vLLM pages it: per layer one pool of
 * {@code numBlocks * blockSize} token rows for keys and one for values. Token {@code i} of a
 * sequence lives in block {@code table[i / blockSize]} at offset {@code i % blockSize}, so its slot
 * is {@code table[i / blockSize] * blockSize + i % blockSize}. Which blocks a sequence owns (and
 * sharing prefix blocks between sequences) is the block manager's business: it hands each
 * sequence's table to {@link #setBlockTable}; this class only stores and addresses rows.
 */
public final class PagedKvCache implements KvCache {
  private final int layers;
  private final int kvHeads;
  private final int headDim;
  private final int numBlocks;
  private final int blockSize;
  private final float[][] keys; // [layer] (numBlocks, blockSize, kvHeads, headDim)
  private final float[][] values; // [layer] (numBlocks, blockSize, kvHeads, headDim)
  private final Map<Integer, int[]> tables = new HashMap<>();

  public PagedKvCache(int layers, int kvHeads, int headDim, int numBlocks, int blockSize) {
    if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || numBlocks <= 0 || blockSize <= 0) {
      throw new IllegalArgumentException("all dimensions must be positive");
    }
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    int poolSize = Math.multiplyExact(Math.multiplyExact(numBlocks, blockSize), kvHeads * headDim);
    keys = new float[layers][poolSize];
    values = new float[layers][poolSize];
  }

  @Override
  public int layers() {
    return layers;
  }

  @Override
  public int kvHeads() {
    return kvHeads;
  }

  @Override
  public int headDim() {
    return headDim;
  }

  public int numBlocks() {
    return numBlocks;
  }

  public int blockSize() {
    return blockSize;
  }

  /** Gives {@code seq} its blocks, in token order; the table is copied. */
  public void setBlockTable(int seq, int[] table) {
    for (int b : table) {
      if (b < 0 || b >= numBlocks) {
        throw new IllegalArgumentException("block " + b + " outside the pool of " + numBlocks);
      }
    }
    tables.put(seq, table.clone());
  }

  @Override
  public void reserve(int seq, int length) {
    int[] table = table(seq);
    if ((long) table.length * blockSize < length) {
      throw new IllegalStateException(
          "sequence " + seq + " needs " + length + " tokens but its " + table.length
              + " blocks of " + blockSize + " hold " + (long) table.length * blockSize);
    }
  }

  private int[] table(int seq) {
    int[] table = tables.get(seq);
    if (table == null) {
      throw new IllegalArgumentException("sequence " + seq + " has no block table");
    }
    return table;
  }

  /** The pool slot of token {@code position} of {@code seq} (the slot mapping of vLLM). */
  public int slot(int seq, int position) {
    return table(seq)[position / blockSize] * blockSize + position % blockSize;
  }

  @Override
  public float[] keys(int layer, int seq) {
    return keys[layer];
  }

  @Override
  public float[] values(int layer, int seq) {
    return values[layer];
  }

  @Override
  public int offset(int seq, int position) {
    return slot(seq, position) * rowSize();
  }

  /**
   * Writes the rows of a whole batch by slot, as the GPU kernel will: {@code slots[t]} is where
   * token {@code t} goes, negative to skip it (a token whose key is already cached).
   *
   * @param k (tokens, kvHeads, headDim)
   * @param v (tokens, kvHeads, headDim)
   */
  public void writeSlots(int layer, int[] slots, float[] k, float[] v) {
    int row = rowSize();
    for (int t = 0; t < slots.length; t++) {
      if (slots[t] >= 0) {
        System.arraycopy(k, t * row, keys[layer], slots[t] * row, row);
        System.arraycopy(v, t * row, values[layer], slots[t] * row, row);
      }
    }
  }

  /** Drops the sequence's table; its blocks' contents stay until the block manager reuses them. */
  @Override
  public void release(int seq) {
    tables.remove(seq);
  }
}
