package dev.flashline.task;

import java.io.Serializable;

/**
 * Settings of the native backend: the engine inside the worker JVM, running a checkpoint from
 * disk. One engine per model per JVM serves every worker thread, batching their records together.
 *
 * @param model a checkpoint directory in Hugging Face layout: {@code config.json}, the weights
 *     ({@code model.safetensors} or shards with their index, bf16/fp16/fp32 or FP8 with block
 *     scales) and {@code tokenizer.json}; required when a job uses the native backend
 * @param kvBlocks KV-cache blocks for all sequences in flight together
 * @param blockSize tokens per KV block: the granularity of prefix sharing
 * @param maxSeqs sequences one engine step may hold
 * @param maxBatchTokens prompt tokens one prefill step may compute
 */
public record NativeSpec(String model, Integer kvBlocks, Integer blockSize, Integer maxSeqs, Integer maxBatchTokens)
    implements Serializable {
  public static final int DEFAULT_KV_BLOCKS = 2048;
  public static final int DEFAULT_BLOCK_SIZE = 16;
  public static final int DEFAULT_MAX_SEQS = 64;
  public static final int DEFAULT_MAX_BATCH_TOKENS = 4096;

  public NativeSpec {
    model = model == null || model.isBlank() ? null : model.strip();
    kvBlocks = atLeast("native.kv_blocks", kvBlocks, DEFAULT_KV_BLOCKS, 1);
    blockSize = atLeast("native.block_size", blockSize, DEFAULT_BLOCK_SIZE, 1);
    maxSeqs = atLeast("native.max_seqs", maxSeqs, DEFAULT_MAX_SEQS, 1);
    maxBatchTokens = atLeast("native.max_batch_tokens", maxBatchTokens, DEFAULT_MAX_BATCH_TOKENS, 16);
  }

  public static NativeSpec defaults() {
    return new NativeSpec(null, null, null, null, null);
  }

  /** The model's name in rows and reports: the checkpoint directory's last path element. */
  public String modelName() {
    if (model == null) {
      return null;
    }
    String trimmed = model.replaceAll("[/\\\\]+$", "");
    int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
    return slash < 0 ? trimmed : trimmed.substring(slash + 1);
  }

  private static int atLeast(String field, Integer value, int fallback, int min) {
    int v = value == null ? fallback : value;
    if (v < min) {
      throw new IllegalArgumentException("'" + field + "' must be at least " + min + ", got " + v);
    }
    return v;
  }
}
