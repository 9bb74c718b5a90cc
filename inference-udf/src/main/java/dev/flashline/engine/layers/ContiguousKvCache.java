package dev.flashline.engine.layers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A KV cache with one growable array per sequence and layer, token {@code p} at row {@code p}. The
 * simplest correct layout: no block tables, no fragmentation bookkeeping, memory in proportion to
 * the longest length each sequence reached. Not thread-safe for {@link #reserve}/{@link #release};
 * the model calls them from one thread before its parallel work.
 */
public final class ContiguousKvCache implements KvCache {
  private final int layers;
  private final int kvHeads;
  private final int headDim;
  private final Map<Integer, float[][]> keys = new HashMap<>(); // seq -> [layer] (capacity, kvHeads, headDim)
  private final Map<Integer, float[][]> values = new HashMap<>(); // seq -> [layer] (capacity, kvHeads, headDim)

  public ContiguousKvCache(int layers, int kvHeads, int headDim) {
    if (layers <= 0 || kvHeads <= 0 || headDim <= 0) {
      throw new IllegalArgumentException(
          "layers, kvHeads and headDim must be positive: " + layers + ", " + kvHeads + ", " + headDim);
    }
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
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

  @Override
  public void reserve(int seq, int length) {
    int row = rowSize();
    float[][] k = keys.computeIfAbsent(seq, s -> new float[layers][0]);
    float[][] v = values.computeIfAbsent(seq, s -> new float[layers][0]);
    int capacity = k[0].length / row;
    if (length <= capacity) {
      return;
    }
    // Double so that decoding token by token copies each row O(1) times on average.
    int grown = Math.max(length, Math.max(16, 2 * capacity));
    for (int l = 0; l < layers; l++) {
      k[l] = Arrays.copyOf(k[l], Math.multiplyExact(grown, row));
      v[l] = Arrays.copyOf(v[l], Math.multiplyExact(grown, row));
    }
  }

  @Override
  public float[] keys(int layer, int seq) {
    return storage(keys, seq)[layer];
  }

  @Override
  public float[] values(int layer, int seq) {
    return storage(values, seq)[layer];
  }

  private static float[][] storage(Map<Integer, float[][]> map, int seq) {
    float[][] s = map.get(seq);
    if (s == null) {
      throw new IllegalArgumentException("sequence " + seq + " has no cache; reserve it first");
    }
    return s;
  }

  @Override
  public int offset(int seq, int position) {
    return position * rowSize();
  }

  @Override
  public void release(int seq) {
    keys.remove(seq);
    values.remove(seq);
  }
}
