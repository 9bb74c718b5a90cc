package dev.flashline.engine.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.engine.quant.CheckpointConverter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on checkpoints in the real on-disk format: a random Llama-shaped model written as
 * sharded safetensors with its config.json, loaded back, and run against the double-precision
 * reference; then the same model converted to block-scaled FP8.
 */
class CheckpointDecoderTest {
  @TempDir Path temp;

  private static final int[] PROMPT = {3, 17, 42, 5, 99, 64, 8, 1, 77, 23, 56, 12};

  @Test
  void aBf16CheckpointOnDiskGivesTheReferenceLogitsAndGreedyTokens() {
    Path dir = temp.resolve("bf16");
    RandomCheckpoint.llama(2, 64, 4, 2, 128, 100, Dtype.BF16, 7, 3).write(dir);
    try (Checkpoint checkpoint = Checkpoint.open(dir)) {
      DecoderConfig config = DecoderConfig.of(checkpoint.config());
      LlamaModel model = new LlamaModel(config, checkpoint);
      ReferenceDecoder reference = new ReferenceDecoder(config, checkpoint);

      float[] logits = model.forwardAllLogits(VarlenBatch.prompt(PROMPT, 0), model.newContiguousCache());
      double[][] expected = reference.logits(PROMPT);
      double scale = 0;
      double worst = 0;
      for (int t = 0; t < PROMPT.length; t++) {
        for (int v = 0; v < config.vocab(); v++) {
          scale = Math.max(scale, Math.abs(expected[t][v]));
          worst = Math.max(worst, Math.abs(logits[t * config.vocab() + v] - expected[t][v]));
        }
      }
      // float32 through a dozen chained operations: about 1e-6 relative; 1e-4 leaves room.
      assertThat(worst).isLessThanOrEqualTo(1e-4 * scale);
      assertThat(argmaxRows(logits, config.vocab())).containsExactly(argmaxRows(expected));
    }
  }

  @Test
  void theFp8ConversionStaysWithinWhatTheFormatImpliesAndIsSmaller() {
    Path fp32 = temp.resolve("fp32");
    Path fp8 = temp.resolve("fp8");
    RandomCheckpoint.llama(2, 256, 4, 2, 512, 100, Dtype.F32, 11, 1).write(fp32);
    CheckpointConverter.convert(fp32, fp8);
    try (Checkpoint full = Checkpoint.open(fp32); Checkpoint quantised = Checkpoint.open(fp8)) {
      DecoderConfig config = DecoderConfig.of(full.config());
      LlamaModel exact = new LlamaModel(config, full);
      LlamaModel fp8Model = new LlamaModel(config, quantised);
      float[] a = exact.forwardAllLogits(VarlenBatch.prompt(PROMPT, 0), exact.newContiguousCache());
      float[] b = fp8Model.forwardAllLogits(VarlenBatch.prompt(PROMPT, 0), fp8Model.newContiguousCache());
      double num = 0;
      double den = 0;
      for (int i = 0; i < a.length; i++) {
        num += (a[i] - b[i]) * (double) (a[i] - b[i]);
        den += a[i] * (double) a[i];
      }
      // E4M3 keeps 3 mantissa bits: each weight is off by at most 2^-4 of itself, about 2^-5.5
      // on average over a uniform mantissa. Errors of independent weights add in quadrature
      // through a layer, so the logits' relative error stays of that order, not below it.
      double relative = Math.sqrt(num / den);
      assertThat(relative).isGreaterThan(1e-4).isLessThan(Math.pow(2, -3));
      assertThat(quantised.linear("model.layers.0.mlp.up_proj.weight").bytes() * 3)
          .isLessThan(full.linear("model.layers.0.mlp.up_proj.weight").bytes());
    }
  }

  private static int[] argmaxRows(float[] logits, int vocab) {
    int[] out = new int[logits.length / vocab];
    for (int t = 0; t < out.length; t++) {
      int best = 0;
      for (int v = 1; v < vocab; v++) {
        if (logits[t * vocab + v] > logits[t * vocab + best]) {
          best = v;
        }
      }
      out[t] = best;
    }
    return out;
  }

  private static int[] argmaxRows(double[][] logits) {
    int[] out = new int[logits.length];
    for (int t = 0; t < out.length; t++) {
      int best = 0;
      for (int v = 1; v < logits[t].length; v++) {
        if (logits[t][v] > logits[t][best]) {
          best = v;
        }
      }
      out[t] = best;
    }
    return out;
  }
}
