package dev.flashline.engine;

/**
 * A model's parameters by their Hugging Face tensor names (for example
 * {@code model.layers.0.self_attn.q_proj.weight}), however they are stored: a checkpoint on disk
 * in bf16, fp16, fp32 or block-scaled FP8, or arrays built in memory by a test.
 */
public interface Weights {
  boolean has(String name);

  /** The tensor's shape, outermost first, as the checkpoint stores it. */
  int[] shape(String name);

  /**
   * The tensor as fp32, row-major: small tensors (norms, biases, embeddings). Large matrices should
   * be read through {@link #linear}, which may keep them in a compact form.
   *
   * @throws IllegalArgumentException naming the tensor when it is missing
   */
  float[] floats(String name);

  /**
   * The weight of a linear layer, stored (out_features, in_features) as in PyTorch, ready to
   * multiply: fp32, or FP8 E4M3 with its 128x128 block scales ({@code <name>_scale_inv}).
   */
  Linear linear(String name);
}
