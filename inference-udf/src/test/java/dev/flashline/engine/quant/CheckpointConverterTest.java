package dev.flashline.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.QuantizationConfig;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.engine.loader.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointConverterTest {
  @TempDir Path dir;

  @Test
  void convertsLinearWeightsToBlockFp8AndCopiesTheRest() throws IOException {
    // hidden 192, intermediate 160: ragged 128-blocks on both axes
    RandomCheckpoint random = RandomCheckpoint.llama(2, 192, 4, 2, 160, 300, Dtype.BF16, 9, 3);
    Path in = dir.resolve("bf16");
    Path out = dir.resolve("fp8");
    random.write(in);
    Files.writeString(in.resolve("tokenizer.json"), "{}");
    CheckpointConverter.convert(in, out);

    assertTrue(Files.exists(out.resolve("tokenizer.json")));
    assertTrue(Files.exists(out.resolve("model-00002-of-00003.safetensors")));
    try (Checkpoint c = Checkpoint.open(out)) {
      assertEquals(QuantizationConfig.FP8_BLOCK_128, c.config().quantization());
      assertEquals(random.config().withQuantization(QuantizationConfig.FP8_BLOCK_128), c.config());
      for (String name : random.shapes().keySet()) {
        boolean linear = CheckpointConverter.LINEAR_LAYERS.test(name);
        assertEquals(linear ? Dtype.F8_E4M3 : Dtype.BF16, c.dtype(name), name);
        float[] original = random.values(name);
        if (!linear) {
          assertArrayEquals(original, c.floats(name), 0f, name); // embeddings, norms, lm_head untouched
          continue;
        }
        int[] shape = c.shape(name);
        c.requireShape(name + "_scale_inv", Fp8Matrix.blockRows(shape[0]), Fp8Matrix.blockCols(shape[1]));
        assertEquals(Dtype.F32, c.dtype(name + "_scale_inv"));
        Fp8Matrix expected = BlockQuantizer.quantize(original, shape[0], shape[1]);
        float[] dequantized = c.floats(name);
        assertArrayEquals(expected.dequantize(), dequantized, 0f, name);
        for (int i = 0; i < original.length; i++) {
          float scale = expected.scaleInv(i / shape[1], i % shape[1]);
          assertTrue(Math.abs(dequantized[i] - original[i]) <= Fp8Bounds.elementBound(original[i], scale), name + "[" + i + "]");
        }
      }
      assertTrue(c.has("lm_head.weight"));
      assertEquals(Dtype.BF16, c.dtype("model.embed_tokens.weight"));

      // The FP8 linear multiplies like fp32 on its dequantised weight, at a quarter of the memory.
      Linear fp8 = c.linear("model.layers.0.mlp.down_proj.weight"); // (192, 160)
      assertInstanceOf(Fp8Linear.class, fp8);
      float[] x = new float[2 * 160]; // (2, 160)
      SplittableRandom r = new SplittableRandom(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      float[] y = new float[2 * 192];
      float[] reference = new float[2 * 192];
      fp8.apply(x, y, 2);
      new F32Linear(c.floats("model.layers.0.mlp.down_proj.weight"), 192, 160).apply(x, reference, 2);
      assertArrayEquals(reference, y, 0f);
      assertEquals(192 * 160 + 4 * 2 * 2, fp8.bytes());
    }
  }

  @Test
  void convertsASingleFileEncoder() {
    Path in = dir.resolve("bert");
    Path out = dir.resolve("bert-fp8");
    RandomCheckpoint.bert(1, 64, 4, 128, 100, 16, Dtype.F32, 4, 1).write(in);
    CheckpointConverter.convert(in, out);
    try (Checkpoint c = Checkpoint.open(out)) {
      assertEquals(Dtype.F8_E4M3, c.dtype("encoder.layer.0.attention.self.query.weight"));
      assertEquals(Dtype.F8_E4M3, c.dtype("encoder.layer.0.output.dense.weight"));
      assertEquals(Dtype.F32, c.dtype("encoder.layer.0.output.dense.bias"));
      assertEquals(Dtype.F32, c.dtype("embeddings.word_embeddings.weight"));
    }
  }

  @Test
  void refusesToConvertTwiceAndNamesMissingScales() throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    RandomCheckpoint.llama(1, 64, 4, 4, 128, 50, Dtype.BF16, 2, 1).write(in);
    CheckpointConverter.convert(in, out);
    String twice = assertThrows(CheckpointException.class, () -> CheckpointConverter.convert(out, dir.resolve("again"))).getMessage();
    assertTrue(twice.contains("already has a quantization_config"), twice);

    // An FP8 weight whose scale was dropped: a rewrite of the shard without it.
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    Files.copy(out.resolve("config.json"), broken.resolve("config.json"));
    var writer = new SafetensorsWriter();
    writer.add("model.layers.0.mlp.up_proj.weight", Dtype.F8_E4M3, new int[] {128, 64}, new byte[128 * 64]);
    writer.write(broken.resolve("model.safetensors"));
    try (Checkpoint c = Checkpoint.open(broken)) {
      String m = assertThrows(CheckpointException.class, () -> c.linear("model.layers.0.mlp.up_proj.weight")).getMessage();
      assertTrue(m.contains("'model.layers.0.mlp.up_proj.weight'") && m.contains("_scale_inv"), m);
    }
  }
}
