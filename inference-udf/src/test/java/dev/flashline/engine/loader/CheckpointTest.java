package dev.flashline.engine.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointTest {
  @TempDir Path dir;

  /** hidden 192 and intermediate 160 leave ragged 128-blocks; kv heads < heads (GQA). */
  static RandomCheckpoint smallLlama(Dtype dtype, int shards) {
    return RandomCheckpoint.llama(2, 192, 4, 2, 160, 300, dtype, 42, shards);
  }

  @ParameterizedTest
  @CsvSource({"BF16, 1", "BF16, 3", "F16, 1", "F16, 3", "F32, 1", "F32, 3"})
  void randomDecoderLoadsBackBitExactly(Dtype dtype, int shards) {
    RandomCheckpoint random = smallLlama(dtype, shards);
    random.write(dir);
    assertEquals(shards > 1, Files.exists(dir.resolve(Checkpoint.INDEX_FILE)));
    if (shards > 1) {
      assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
    }
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertEquals(random.config(), c.config());
      Map<String, int[]> shapes = random.shapes();
      assertEquals(shapes.keySet(), c.names());
      for (Map.Entry<String, int[]> e : shapes.entrySet()) {
        assertArrayEquals(e.getValue(), c.shape(e.getKey()), e.getKey());
        assertEquals(dtype, c.dtype(e.getKey()));
        float[] loaded = c.floats(e.getKey());
        assertArrayEquals(random.values(e.getKey()), loaded, 0f, e.getKey()); // bit for bit
        if (dtype == Dtype.BF16) {
          for (float v : loaded) {
            assertEquals(0, Float.floatToRawIntBits(v) & 0xFFFF, "bf16 widens exactly");
          }
        }
      }
      assertTrue(c.has("lm_head.weight"));
      float norm = c.floats("model.norm.weight")[0];
      assertTrue(Math.abs(norm - 1) < 0.2, "norm weights are near 1: " + norm);

      Linear q = c.linear("model.layers.1.self_attn.q_proj.weight");
      assertInstanceOf(F32Linear.class, q);
      assertEquals(192, q.inFeatures());
      assertEquals(192, q.outFeatures());
      Linear k = c.linear("model.layers.1.self_attn.k_proj.weight");
      assertEquals(96, k.outFeatures()); // 2 kv heads x head_dim 48
    }
  }

  @Test
  void tiedDecoderHasNoLmHead() {
    RandomCheckpoint.llama(1, 64, 4, 4, 128, 50, true, Dtype.BF16, 1, 1).write(dir);
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertTrue(c.config().tieWordEmbeddings());
      assertFalse(c.has("lm_head.weight"));
      assertTrue(c.has("model.embed_tokens.weight"));
    }
  }

  @Test
  void randomEncoderHasBertNames() {
    RandomCheckpoint bert = RandomCheckpoint.bert(2, 64, 4, 128, 100, 32, Dtype.F32, 3, 2);
    bert.write(dir);
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertTrue(c.config().isEncoder());
      c.requireShape("embeddings.word_embeddings.weight", 100, 64);
      c.requireShape("embeddings.position_embeddings.weight", 32, 64);
      c.requireShape("embeddings.token_type_embeddings.weight", 2, 64);
      c.requireShape("embeddings.LayerNorm.bias", 64);
      c.requireShape("encoder.layer.1.attention.self.query.weight", 64, 64);
      c.requireShape("encoder.layer.1.attention.self.value.bias", 64);
      c.requireShape("encoder.layer.1.attention.output.LayerNorm.weight", 64);
      c.requireShape("encoder.layer.1.intermediate.dense.weight", 128, 64);
      c.requireShape("encoder.layer.1.output.dense.weight", 64, 128);
      c.requireShape("encoder.layer.1.output.LayerNorm.bias", 64);
      assertArrayEquals(bert.values("encoder.layer.0.attention.output.dense.bias"), c.floats("encoder.layer.0.attention.output.dense.bias"), 0f);
    }
  }

  @Test
  void missingTensorAndWrongShapeNameTheTensorAndCheckpoint() {
    smallLlama(Dtype.BF16, 1).write(dir);
    try (Checkpoint c = Checkpoint.open(dir)) {
      String missing = assertThrows(CheckpointException.class, () -> c.floats("model.layers.9.mlp.up_proj.weight")).getMessage();
      assertTrue(missing.contains("'model.layers.9.mlp.up_proj.weight'") && missing.contains(dir.toString()), missing);
      assertThrows(CheckpointException.class, () -> c.linear("model.layers.9.mlp.up_proj.weight"));

      String shape = assertThrows(CheckpointException.class, () -> c.requireShape("model.layers.0.mlp.up_proj.weight", 192, 160)).getMessage();
      assertTrue(shape.contains("model.safetensors: tensor 'model.layers.0.mlp.up_proj.weight' has shape [160, 192], expected [192, 160]"), shape);

      String notMatrix = assertThrows(CheckpointException.class, () -> c.linear("model.norm.weight")).getMessage();
      assertTrue(notMatrix.contains("'model.norm.weight'") && notMatrix.contains("2-D"), notMatrix);
    }
  }

  @Test
  void truncatedShardFailsAtOpenNamingTheShard() throws IOException {
    smallLlama(Dtype.BF16, 3).write(dir);
    Path shard = dir.resolve("model-00002-of-00003.safetensors");
    byte[] all = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(all, all.length / 2));
    String m = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertTrue(m.startsWith("model-00002-of-00003.safetensors: tensor 'model.layers.") && m.contains("end past the file (truncated?)"), m);
  }

  @Test
  void brokenDirectoriesSayWhatIsMissing() throws IOException {
    assertTrue(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage().contains("no config.json"));

    smallLlama(Dtype.BF16, 3).write(dir);
    Files.delete(dir.resolve("model-00003-of-00003.safetensors"));
    String m = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertTrue(m.contains("model-00003-of-00003.safetensors, which does not exist"), m);

    Files.delete(dir.resolve(Checkpoint.INDEX_FILE));
    assertTrue(assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage().contains("neither model.safetensors nor"));
  }

  @Test
  void unknownArchitectureFailsAtOpen() throws IOException {
    smallLlama(Dtype.BF16, 1).write(dir);
    Path config = dir.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("LlamaForCausalLM", "GPTNeoXForCausalLM"));
    String m = assertThrows(CheckpointException.class, () -> Checkpoint.open(dir)).getMessage();
    assertTrue(m.contains("'GPTNeoXForCausalLM'") && m.contains("Qwen3ForCausalLM"), m);
  }
}
