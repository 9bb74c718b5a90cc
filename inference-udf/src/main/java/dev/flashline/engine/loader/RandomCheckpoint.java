package dev.flashline.engine.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model with random weights in the real on-disk format (config.json, safetensors shards, the
 * index), with Hugging Face's exact tensor names, because no real checkpoint can be downloaded
 * here and the loader must be exercised on what it will meet. Each tensor's values depend only on
 * the seed and its name, so {@link #values} can regenerate any one tensor without the others.
 * Weights are ~N(0, 0.02) like transformers' initialiser; norm weights ~1 so activations survive.
 *
 * @param dtype F32, F16 or BF16 (FP8 checkpoints come from {@code CheckpointConverter})
 * @param shards how many safetensors files; 1 writes {@code model.safetensors} without an index
 */
public record RandomCheckpoint(ModelConfig config, Dtype dtype, long seed, int shards) {
  private static final float STD = 0.02f;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public RandomCheckpoint {
    if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
      throw new IllegalArgumentException("dtype " + dtype + ": random checkpoints are F32, F16 or BF16");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("shards " + shards + " must be at least 1");
    }
  }

  /** A Llama-shaped dense decoder; {@code lm_head.weight} is written because it is not tied. */
  public static RandomCheckpoint llama(int layers, int hidden, int heads, int kvHeads, int intermediate, int vocab, Dtype dtype, long seed, int shards) {
    return llama(layers, hidden, heads, kvHeads, intermediate, vocab, false, dtype, seed, shards);
  }

  public static RandomCheckpoint llama(int layers, int hidden, int heads, int kvHeads, int intermediate, int vocab, boolean tied, Dtype dtype, long seed, int shards) {
    ModelConfig config = new ModelConfig(List.of("LlamaForCausalLM"), "llama", hidden, intermediate, layers, heads, kvHeads, hidden / heads, 1e-5, 10000.0, vocab, 2048, tied, 1e-12, 2, "silu", null);
    return new RandomCheckpoint(config, dtype, seed, shards);
  }

  /** A BERT encoder ({@code BertModel}: no pooler, no MLM head). */
  public static RandomCheckpoint bert(int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions, Dtype dtype, long seed, int shards) {
    ModelConfig config = new ModelConfig(List.of("BertModel"), "bert", hidden, intermediate, layers, heads, heads, hidden / heads, 1e-6, 10000.0, vocab, maxPositions, true, 1e-12, 2, "gelu", null);
    return new RandomCheckpoint(config, dtype, seed, shards);
  }

  /** Every tensor's name and shape, in the order they are written. */
  public Map<String, int[]> shapes() {
    Map<String, int[]> s = new LinkedHashMap<>();
    ModelConfig c = config;
    int h = c.hiddenSize();
    if (c.isEncoder()) {
      s.put("embeddings.word_embeddings.weight", new int[] {c.vocabSize(), h});
      s.put("embeddings.position_embeddings.weight", new int[] {c.maxPositionEmbeddings(), h});
      s.put("embeddings.token_type_embeddings.weight", new int[] {c.typeVocabSize(), h});
      s.put("embeddings.LayerNorm.weight", new int[] {h});
      s.put("embeddings.LayerNorm.bias", new int[] {h});
      for (int i = 0; i < c.numHiddenLayers(); i++) {
        String p = "encoder.layer." + i + ".";
        for (String proj : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
          s.put(p + proj + ".weight", new int[] {h, h});
          s.put(p + proj + ".bias", new int[] {h});
        }
        s.put(p + "attention.output.LayerNorm.weight", new int[] {h});
        s.put(p + "attention.output.LayerNorm.bias", new int[] {h});
        s.put(p + "intermediate.dense.weight", new int[] {c.intermediateSize(), h});
        s.put(p + "intermediate.dense.bias", new int[] {c.intermediateSize()});
        s.put(p + "output.dense.weight", new int[] {h, c.intermediateSize()});
        s.put(p + "output.dense.bias", new int[] {h});
        s.put(p + "output.LayerNorm.weight", new int[] {h});
        s.put(p + "output.LayerNorm.bias", new int[] {h});
      }
    } else {
      int q = c.numAttentionHeads() * c.headDim();
      int kv = c.numKeyValueHeads() * c.headDim();
      s.put("model.embed_tokens.weight", new int[] {c.vocabSize(), h});
      for (int i = 0; i < c.numHiddenLayers(); i++) {
        String p = "model.layers." + i + ".";
        s.put(p + "input_layernorm.weight", new int[] {h});
        s.put(p + "self_attn.q_proj.weight", new int[] {q, h});
        s.put(p + "self_attn.k_proj.weight", new int[] {kv, h});
        s.put(p + "self_attn.v_proj.weight", new int[] {kv, h});
        s.put(p + "self_attn.o_proj.weight", new int[] {h, q});
        s.put(p + "post_attention_layernorm.weight", new int[] {h});
        s.put(p + "mlp.gate_proj.weight", new int[] {c.intermediateSize(), h});
        s.put(p + "mlp.up_proj.weight", new int[] {c.intermediateSize(), h});
        s.put(p + "mlp.down_proj.weight", new int[] {h, c.intermediateSize()});
      }
      s.put("model.norm.weight", new int[] {h});
      if (!c.tieWordEmbeddings()) {
        s.put("lm_head.weight", new int[] {c.vocabSize(), h});
      }
    }
    return s;
  }

  /** The tensor's values exactly as a loader reads them back: fp32, already rounded to {@link #dtype}. */
  public float[] values(String name) {
    int[] shape = shapes().get(name);
    if (shape == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in a random " + config.architecture());
    }
    return dtype.decode(ByteBuffer.wrap(dtype.encode(generate(name, shape))), elements(shape));
  }

  private float[] generate(String name, int[] shape) {
    // A per-tensor stream from (seed, name): the same tensor for the same seed whatever else exists.
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    boolean normWeight = name.endsWith("norm.weight") || name.endsWith("LayerNorm.weight");
    float[] v = new float[elements(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (normWeight ? 1f : 0f) + STD * (float) random.nextGaussian();
    }
    return v;
  }

  private static int elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  public static String shardName(int index, int count) {
    return String.format("model-%05d-of-%05d.safetensors", index + 1, count);
  }

  /** Writes config.json and the weights into {@code dir} (created if missing). */
  public void write(Path dir) {
    Map<String, int[]> shapes = shapes();
    if (shards > shapes.size()) {
      throw new IllegalArgumentException(shards + " shards for " + shapes.size() + " tensors");
    }
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("config.json").toFile(), config.toJson());
      List<String> names = new ArrayList<>(shapes.keySet());
      Map<String, String> weightMap = new LinkedHashMap<>();
      long total = 0;
      for (int s = 0; s < shards; s++) {
        // Contiguous runs of whole tensors, by count: every shard gets at least one.
        int from = (int) ((long) names.size() * s / shards);
        int to = (int) ((long) names.size() * (s + 1) / shards);
        String file = shards == 1 ? Checkpoint.SINGLE_FILE : shardName(s, shards);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (String name : names.subList(from, to)) {
          int[] shape = shapes.get(name);
          writer.addFloats(name, dtype, shape, generate(name, shape));
          weightMap.put(name, file);
        }
        total += writer.dataBytes();
        writer.write(dir.resolve(file));
      }
      if (shards > 1) {
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        JSON.writeValue(dir.resolve(Checkpoint.INDEX_FILE).toFile(), index);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
  }
}
