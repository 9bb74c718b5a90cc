package dev.flashline.engine.models;

import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Weights held in maps, built from a seed for tests: matrices N(0, std), norm scales near 1. */
public final class InMemoryWeights implements Weights {
  private final Map<String, float[]> tensors = new HashMap<>();
  private final Map<String, int[]> shapes = new HashMap<>();
  private final Random random;
  private final double std;

  public InMemoryWeights(long seed, double std) {
    this.random = new Random(seed);
    this.std = std;
  }

  public InMemoryWeights put(String name, float[] values, int... shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for shape of " + n);
    }
    tensors.put(name, values);
    shapes.put(name, shape.clone());
    return this;
  }

  /** A tensor of N(0, std) values. */
  public InMemoryWeights normal(String name, int... shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (random.nextGaussian() * std);
    }
    return put(name, f, shape);
  }

  /** A norm scale: 1 + N(0, 0.1), so that a scale ignored or misapplied shows. */
  public InMemoryWeights scale(String name, int dim) {
    float[] f = new float[dim];
    for (int i = 0; i < dim; i++) {
      f[i] = (float) (1 + 0.1 * random.nextGaussian());
    }
    return put(name, f, dim);
  }

  /** Random Llama-family weights; biases add Qwen2's q/k/v biases, qkNorm Qwen3's q/k norms. */
  public static InMemoryWeights llama(DecoderConfig c, long seed, double std, boolean biases, boolean qkNorm) {
    InMemoryWeights w = new InMemoryWeights(seed, std);
    int d = c.hidden();
    int qDim = c.heads() * c.headDim();
    int kvDim = c.kvHeads() * c.headDim();
    w.normal("model.embed_tokens.weight", c.vocab(), d);
    for (int i = 0; i < c.layers(); i++) {
      String p = "model.layers." + i + ".";
      w.scale(p + "input_layernorm.weight", d);
      w.scale(p + "post_attention_layernorm.weight", d);
      w.normal(p + "self_attn.q_proj.weight", qDim, d);
      w.normal(p + "self_attn.k_proj.weight", kvDim, d);
      w.normal(p + "self_attn.v_proj.weight", kvDim, d);
      w.normal(p + "self_attn.o_proj.weight", d, qDim);
      if (biases) {
        w.normal(p + "self_attn.q_proj.bias", qDim);
        w.normal(p + "self_attn.k_proj.bias", kvDim);
        w.normal(p + "self_attn.v_proj.bias", kvDim);
      }
      if (qkNorm) {
        w.scale(p + "self_attn.q_norm.weight", c.headDim());
        w.scale(p + "self_attn.k_norm.weight", c.headDim());
      }
      w.normal(p + "mlp.gate_proj.weight", c.intermediate(), d);
      w.normal(p + "mlp.up_proj.weight", c.intermediate(), d);
      w.normal(p + "mlp.down_proj.weight", d, c.intermediate());
    }
    w.scale("model.norm.weight", d);
    if (!c.tieEmbeddings()) {
      w.normal("lm_head.weight", c.vocab(), d);
    }
    return w;
  }

  /** Random BERT weights under {@code prefix} ("" or "bert."). */
  public static InMemoryWeights bert(BertConfig c, long seed, double std, String prefix) {
    InMemoryWeights w = new InMemoryWeights(seed, std);
    int d = c.hidden();
    String e = prefix + "embeddings.";
    w.normal(e + "word_embeddings.weight", c.vocab(), d);
    w.normal(e + "position_embeddings.weight", c.maxPositions(), d);
    w.normal(e + "token_type_embeddings.weight", c.typeVocab(), d);
    w.scale(e + "LayerNorm.weight", d).normal(e + "LayerNorm.bias", d);
    for (int i = 0; i < c.layers(); i++) {
      String l = prefix + "encoder.layer." + i + ".";
      for (String m : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
        w.normal(l + m + ".weight", d, d).normal(l + m + ".bias", d);
      }
      w.scale(l + "attention.output.LayerNorm.weight", d).normal(l + "attention.output.LayerNorm.bias", d);
      w.normal(l + "intermediate.dense.weight", c.intermediate(), d).normal(l + "intermediate.dense.bias", c.intermediate());
      w.normal(l + "output.dense.weight", d, c.intermediate()).normal(l + "output.dense.bias", d);
      w.scale(l + "output.LayerNorm.weight", d).normal(l + "output.LayerNorm.bias", d);
    }
    return w;
  }

  @Override
  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  @Override
  public int[] shape(String name) {
    return require(shapes, name).clone();
  }

  @Override
  public float[] floats(String name) {
    return require(tensors, name);
  }

  @Override
  public Linear linear(String name) {
    int[] s = shape(name);
    if (s.length != 2) {
      throw new IllegalArgumentException(name + " is not a matrix");
    }
    return new F32Linear(floats(name), s[0], s[1]);
  }

  private static <T> T require(Map<String, T> map, String name) {
    T t = map.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor " + name);
    }
    return t;
  }
}
