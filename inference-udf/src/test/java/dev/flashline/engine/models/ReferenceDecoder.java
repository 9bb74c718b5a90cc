package dev.flashline.engine.models;

import dev.flashline.engine.Weights;

/**
 * The Llama-family decoder written straight from the math in double precision, one sequence, no
 * cache: every call recomputes every position with an explicit causal mask. Slow and obvious, to
 * check {@link LlamaModel} against; it shares no code with it.
 */
public final class ReferenceDecoder {
  private final DecoderConfig c;
  private final Weights w;

  public ReferenceDecoder(DecoderConfig c, Weights w) {
    this.c = c;
    this.w = w;
  }

  /** Logits after every token: [position][vocab]. */
  public double[][] logits(int[] tokens) {
    int n = tokens.length;
    int d = c.hidden();
    int hd = c.headDim();
    double[][] x = new double[n][d];
    double[][] emb = matrix("model.embed_tokens.weight", c.vocab(), d);
    for (int t = 0; t < n; t++) {
      x[t] = emb[tokens[t]].clone();
    }
    for (int l = 0; l < c.layers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] h = rmsNorm(x, vec(p + "input_layernorm.weight"));
      double[][] q = matmul(h, matrix(p + "self_attn.q_proj.weight", c.heads() * hd, d), optVec(p + "self_attn.q_proj.bias"));
      double[][] k = matmul(h, matrix(p + "self_attn.k_proj.weight", c.kvHeads() * hd, d), optVec(p + "self_attn.k_proj.bias"));
      double[][] v = matmul(h, matrix(p + "self_attn.v_proj.weight", c.kvHeads() * hd, d), optVec(p + "self_attn.v_proj.bias"));
      double[] qn = optVec(p + "self_attn.q_norm.weight");
      double[] kn = optVec(p + "self_attn.k_norm.weight");
      double[][] attn = new double[n][c.heads() * hd];
      int group = c.heads() / c.kvHeads();
      for (int head = 0; head < c.heads(); head++) {
        int kvHead = head / group;
        double[][] qh = new double[n][];
        double[][] kh = new double[n][];
        for (int t = 0; t < n; t++) {
          qh[t] = rope(headNorm(slice(q[t], head * hd, hd), qn), t);
          kh[t] = rope(headNorm(slice(k[t], kvHead * hd, hd), kn), t);
        }
        for (int t = 0; t < n; t++) {
          double[] s = new double[n];
          double max = Double.NEGATIVE_INFINITY;
          for (int u = 0; u < n; u++) {
            // Causal mask: a token sees itself and the past only.
            s[u] = u <= t ? dot(qh[t], kh[u]) / Math.sqrt(hd) : Double.NEGATIVE_INFINITY;
            max = Math.max(max, s[u]);
          }
          double z = 0;
          for (int u = 0; u < n; u++) {
            s[u] = Math.exp(s[u] - max);
            z += s[u];
          }
          for (int u = 0; u < n; u++) {
            for (int i = 0; i < hd; i++) {
              attn[t][head * hd + i] += s[u] / z * v[u][kvHead * hd + i];
            }
          }
        }
      }
      add(x, matmul(attn, matrix(p + "self_attn.o_proj.weight", d, c.heads() * hd), null));
      h = rmsNorm(x, vec(p + "post_attention_layernorm.weight"));
      double[][] g = matmul(h, matrix(p + "mlp.gate_proj.weight", c.intermediate(), d), null);
      double[][] up = matmul(h, matrix(p + "mlp.up_proj.weight", c.intermediate(), d), null);
      for (int t = 0; t < n; t++) {
        for (int i = 0; i < c.intermediate(); i++) {
          g[t][i] = g[t][i] / (1 + Math.exp(-g[t][i])) * up[t][i];
        }
      }
      add(x, matmul(g, matrix(p + "mlp.down_proj.weight", d, c.intermediate()), null));
    }
    double[][] h = rmsNorm(x, vec("model.norm.weight"));
    String head = c.tieEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    return matmul(h, matrix(head, c.vocab(), d), null);
  }

  /** Greedy continuation of {@code prompt} by {@code steps} tokens, recomputing from scratch each step. */
  int[] greedy(int[] prompt, int steps) {
    int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + steps);
    for (int s = 0; s < steps; s++) {
      int len = prompt.length + s;
      double[][] l = logits(java.util.Arrays.copyOf(seq, len));
      seq[len] = argmax(l[len - 1]);
    }
    return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** HF rotate_half convention: pair (i, i + hd/2) rotated by pos * theta^(-2i/hd). */
  private double[] rope(double[] x, int pos) {
    int half = x.length / 2;
    double[] y = new double[x.length];
    for (int i = 0; i < half; i++) {
      double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / x.length);
      y[i] = x[i] * Math.cos(angle) - x[i + half] * Math.sin(angle);
      y[i + half] = x[i + half] * Math.cos(angle) + x[i] * Math.sin(angle);
    }
    return y;
  }

  private double[] headNorm(double[] x, double[] weight) {
    return weight == null ? x : rmsNorm(new double[][] {x}, weight)[0];
  }

  private double[][] rmsNorm(double[][] x, double[] weight) {
    double[][] y = new double[x.length][];
    for (int t = 0; t < x.length; t++) {
      double ms = dot(x[t], x[t]) / x[t].length;
      double inv = 1 / Math.sqrt(ms + c.rmsEps());
      y[t] = new double[x[t].length];
      for (int i = 0; i < x[t].length; i++) {
        y[t][i] = x[t][i] * inv * weight[i];
      }
    }
    return y;
  }

  static double[][] matmul(double[][] x, double[][] weight, double[] bias) {
    double[][] y = new double[x.length][weight.length];
    for (int t = 0; t < x.length; t++) {
      for (int o = 0; o < weight.length; o++) {
        y[t][o] = dot(x[t], weight[o]) + (bias == null ? 0 : bias[o]);
      }
    }
    return y;
  }

  static void add(double[][] x, double[][] y) {
    for (int t = 0; t < x.length; t++) {
      for (int i = 0; i < x[t].length; i++) {
        x[t][i] += y[t][i];
      }
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[] slice(double[] a, int from, int len) {
    return java.util.Arrays.copyOfRange(a, from, from + len);
  }

  private double[][] matrix(String name, int rows, int cols) {
    return matrix(w, name, rows, cols);
  }

  static double[][] matrix(Weights w, String name, int rows, int cols) {
    float[] f = w.floats(name);
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < cols; i++) {
        m[r][i] = f[r * cols + i];
      }
    }
    return m;
  }

  private double[] vec(String name) {
    return vec(w, name);
  }

  static double[] vec(Weights w, String name) {
    float[] f = w.floats(name);
    double[] v = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      v[i] = f[i];
    }
    return v;
  }

  private double[] optVec(String name) {
    return w.has(name) ? vec(name) : null;
  }
}
