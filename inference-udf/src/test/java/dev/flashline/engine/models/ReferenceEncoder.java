package dev.flashline.engine.models;

import static dev.flashline.engine.models.ReferenceDecoder.add;
import static dev.flashline.engine.models.ReferenceDecoder.dot;
import static dev.flashline.engine.models.ReferenceDecoder.matmul;
import static dev.flashline.engine.models.ReferenceDecoder.matrix;
import static dev.flashline.engine.models.ReferenceDecoder.vec;

import dev.flashline.engine.Weights;
import dev.flashline.engine.layers.Gelu;

/** BERT in double precision, one text, straight from the math, to check {@link BertEncoder}. */
final class ReferenceEncoder {
  private final BertConfig c;
  private final Weights w;
  private final String p;

  ReferenceEncoder(BertConfig c, Weights w, String prefix) {
    this.c = c;
    this.w = w;
    this.p = prefix;
  }

  /** Last hidden states: [token][hidden]. */
  double[][] encode(int[] tokens) {
    int n = tokens.length;
    int d = c.hidden();
    double[][] words = matrix(w, p + "embeddings.word_embeddings.weight", c.vocab(), d);
    double[][] pos = matrix(w, p + "embeddings.position_embeddings.weight", c.maxPositions(), d);
    double[][] type = matrix(w, p + "embeddings.token_type_embeddings.weight", c.typeVocab(), d);
    double[][] x = new double[n][d];
    for (int t = 0; t < n; t++) {
      for (int i = 0; i < d; i++) {
        x[t][i] = words[tokens[t]][i] + pos[t + c.positionOffset()][i] + type[0][i];
      }
    }
    x = layerNorm(x, p + "embeddings.LayerNorm.");
    int hd = c.headDim();
    for (int l = 0; l < c.layers(); l++) {
      String q = p + "encoder.layer." + l + ".";
      double[][] qs = linear(x, q + "attention.self.query", d, d);
      double[][] ks = linear(x, q + "attention.self.key", d, d);
      double[][] vs = linear(x, q + "attention.self.value", d, d);
      double[][] ctx = new double[n][d];
      for (int h = 0; h < c.heads(); h++) {
        for (int t = 0; t < n; t++) {
          double[] s = new double[n];
          double max = Double.NEGATIVE_INFINITY;
          for (int u = 0; u < n; u++) {
            s[u] = dot(ReferenceDecoder.slice(qs[t], h * hd, hd), ReferenceDecoder.slice(ks[u], h * hd, hd)) / Math.sqrt(hd);
            max = Math.max(max, s[u]);
          }
          double z = 0;
          for (int u = 0; u < n; u++) {
            s[u] = Math.exp(s[u] - max);
            z += s[u];
          }
          for (int u = 0; u < n; u++) {
            for (int i = 0; i < hd; i++) {
              ctx[t][h * hd + i] += s[u] / z * vs[u][h * hd + i];
            }
          }
        }
      }
      double[][] a = linear(ctx, q + "attention.output.dense", d, d);
      add(a, x);
      x = layerNorm(a, q + "attention.output.LayerNorm.");
      double[][] inter = linear(x, q + "intermediate.dense", c.intermediate(), d);
      for (double[] row : inter) {
        for (int i = 0; i < row.length; i++) {
          row[i] = Gelu.gelu(row[i]);
        }
      }
      double[][] out = linear(inter, q + "output.dense", d, c.intermediate());
      add(out, x);
      x = layerNorm(out, q + "output.LayerNorm.");
    }
    return x;
  }

  private double[][] linear(double[][] x, String name, int out, int in) {
    return matmul(x, matrix(w, name + ".weight", out, in), vec(w, name + ".bias"));
  }

  private double[][] layerNorm(double[][] x, String prefix) {
    double[] g = vec(w, prefix + "weight");
    double[] b = vec(w, prefix + "bias");
    double[][] y = new double[x.length][x[0].length];
    for (int t = 0; t < x.length; t++) {
      double mean = 0;
      for (double v : x[t]) {
        mean += v;
      }
      mean /= x[t].length;
      double var = 0;
      for (double v : x[t]) {
        var += (v - mean) * (v - mean);
      }
      var /= x[t].length;
      for (int i = 0; i < x[t].length; i++) {
        y[t][i] = (x[t][i] - mean) / Math.sqrt(var + c.layerNormEps()) * g[i] + b[i];
      }
    }
    return y;
  }
}
