package dev.flashline.engine.layers;

import dev.flashline.engine.Linear;

/** The gated MLP of Llama-family decoders: {@code down(silu(gate(x)) * up(x))}. */
public final class SwiGluMlp {
  private final Linear gate; // (intermediate, hidden)
  private final Linear up; // (intermediate, hidden)
  private final Linear down; // (hidden, intermediate)

  public SwiGluMlp(Linear gate, Linear up, Linear down) {
    if (gate.outFeatures() != up.outFeatures()
        || gate.inFeatures() != up.inFeatures()
        || down.inFeatures() != gate.outFeatures()
        || down.outFeatures() != gate.inFeatures()) {
      throw new IllegalArgumentException(
          "MLP shapes disagree: gate " + shape(gate) + ", up " + shape(up) + ", down " + shape(down));
    }
    this.gate = gate;
    this.up = up;
    this.down = down;
  }

  private static String shape(Linear l) {
    return "(" + l.outFeatures() + ", " + l.inFeatures() + ")";
  }

  /**
   * @param x (rows, hidden)
   * @return (rows, hidden)
   */
  public float[] apply(float[] x, int rows) {
    int inter = gate.outFeatures();
    float[] g = new float[rows * inter]; // (rows, intermediate)
    float[] u = new float[rows * inter]; // (rows, intermediate)
    gate.apply(x, g, rows);
    up.apply(x, u, rows);
    siluAndMul(g, u);
    float[] y = new float[rows * down.outFeatures()]; // (rows, hidden)
    down.apply(g, y, rows);
    return y;
  }

  /** {@code g[i] = silu(g[i]) * u[i]}, with silu(x) = x * sigmoid(x). */
  public static void siluAndMul(float[] g, float[] u) {
    for (int i = 0; i < g.length; i++) {
      float x = g[i];
      g[i] = (float) (x / (1.0 + Math.exp(-x))) * u[i];
    }
  }
}
