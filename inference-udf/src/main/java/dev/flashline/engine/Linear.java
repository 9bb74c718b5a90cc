package dev.flashline.engine;

/**
 * A linear layer's weight W of shape (out, in): {@code y = x W^T} for a batch of rows. The CPU
 * implementations here are the numerical reference; a CUDA one (cuBLASLt FP8) implements the same
 * interface.
 */
public interface Linear {
  int inFeatures();

  int outFeatures();

  /**
   * @param x (rows, in) row-major
   * @param y (rows, out) row-major, overwritten
   */
  void apply(float[] x, float[] y, int rows);

  /** Bytes the weight occupies in memory, scales included. */
  long bytes();
}
