package dev.flashline.engine.loader;

import java.util.Arrays;

/**
 * One entry of a safetensors header.
 *
 * @param begin offset of the first byte, relative to the start of the data section
 * @param end offset one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, Dtype dtype, int[] shape, long begin, long end) {
  public TensorInfo {
    shape = shape.clone();
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
      }
    }
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("tensor '" + name + "': data_offsets [" + begin + ", " + end + "] are not an ordered pair of non-negative offsets");
    }
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public long elements() {
    long n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long byteSize() {
    return end - begin;
  }
}
