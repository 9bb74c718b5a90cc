package dev.flashline.engine.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readsAQwen3Fp8Config() throws Exception {
    // Shape of Qwen3-8B-FP8's config.json (trimmed): head_dim differs from hidden / heads.
    ModelConfig c = ModelConfig.parse(JSON.readTree("""
        {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 4096,
         "intermediate_size": 12288, "num_hidden_layers": 36, "num_attention_heads": 32,
         "num_key_value_heads": 8, "head_dim": 128, "rms_norm_eps": 1e-06, "rope_theta": 1000000,
         "vocab_size": 151936, "max_position_embeddings": 40960, "tie_word_embeddings": false,
         "hidden_act": "silu", "torch_dtype": "bfloat16",
         "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8", "weight_block_size": [128, 128]}}
        """));
    assertEquals("Qwen3ForCausalLM", c.architecture());
    assertEquals(8, c.numKeyValueHeads());
    assertEquals(128, c.headDim());
    assertEquals(1e6, c.ropeTheta());
    assertEquals(QuantizationConfig.FP8_BLOCK_128, c.quantization());
    assertFalse(c.isEncoder());
    assertEquals(c, ModelConfig.parse(c.toJson()));
  }

  @Test
  void defaultsFollowTransformers() throws Exception {
    ModelConfig llama = ModelConfig.parse(JSON.readTree("""
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
         "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100}"""));
    assertEquals(4, llama.numKeyValueHeads());
    assertEquals(16, llama.headDim());
    assertFalse(llama.tieWordEmbeddings());
    assertNull(llama.quantization());

    ModelConfig bert = ModelConfig.parse(JSON.readTree("""
        {"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_size": 768, "intermediate_size": 3072,
         "num_hidden_layers": 12, "num_attention_heads": 12, "vocab_size": 30522, "layer_norm_eps": 1e-12}"""));
    assertTrue(bert.isEncoder());
    assertEquals(512, bert.maxPositionEmbeddings());
    assertEquals(2, bert.typeVocabSize());
    assertEquals("gelu", bert.hiddenAct());
    assertTrue(bert.tieWordEmbeddings());
  }

  @Test
  void unknownArchitectureNamesItAndTheSupportedOnes(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(config, """
        {"architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
         "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100}""");
    String m = assertThrows(CheckpointException.class, () -> ModelConfig.read(config)).getMessage();
    assertTrue(m.contains("config.json") && m.contains("'DeepseekV3ForCausalLM'") && m.contains("LlamaForCausalLM") && m.contains("BertModel"), m);
  }

  @Test
  void rejectsWhatTheRuntimeCannotRun() {
    assertThrows(IllegalArgumentException.class, () -> new QuantizationConfig("fp8", "e4m3", "dynamic", List.of(64, 64)));
    assertThrows(IllegalArgumentException.class, () -> new QuantizationConfig("gptq", "e4m3", "dynamic", List.of(128, 128)));
    String m = assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse(JSON.readTree("""
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 100}"""))).getMessage();
    assertTrue(m.contains("num_key_value_heads 3"), m);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse(JSON.readTree("{\"architectures\": [\"LlamaForCausalLM\"]}"))).getMessage().contains("hidden_size"));
  }
}
