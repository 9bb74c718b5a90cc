package dev.flashline.engine.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LayersTest {
  @Test
  void ropeRotatesHalvesByHandComputedAngles() {
    // head_dim 4, theta 10000: inverse frequencies 1 and 10000^(-1/2) = 0.01; pairs (0,2) and (1,3).
    Rope rope = new Rope(4, 10000);
    float[] x = {1, 2, 3, 4, 1, 2, 3, 4}; // (tokens 2, heads 1, headDim 4)
    rope.apply(x, 1, new int[] {0, 1});
    assertThat(x[0]).isEqualTo(1f);
    assertThat(x[3]).isEqualTo(4f); // position 0 is the identity
    double c1 = Math.cos(1), s1 = Math.sin(1), c2 = Math.cos(0.01), s2 = Math.sin(0.01);
    assertThat((double) x[4]).isCloseTo(1 * c1 - 3 * s1, within(1e-6));
    assertThat((double) x[6]).isCloseTo(3 * c1 + 1 * s1, within(1e-6));
    assertThat((double) x[5]).isCloseTo(2 * c2 - 4 * s2, within(1e-6));
    assertThat((double) x[7]).isCloseTo(4 * c2 + 2 * s2, within(1e-6));
  }

  @Test
  void ropeTreatsEveryHeadAlike() {
    Rope rope = new Rope(4, 500);
    float[] x = {1, 2, 3, 4, 1, 2, 3, 4}; // (tokens 1, heads 2, headDim 4)
    rope.apply(x, 2, new int[] {7});
    for (int i = 0; i < 4; i++) {
      assertThat(x[4 + i]).isEqualTo(x[i]);
    }
  }

  @Test
  void rmsNormDividesByRootMeanSquareThenScales() {
    float[] x = {3, 4}; // rms = sqrt(12.5)
    new RmsNorm(new float[] {1, 2}, 1e-6f).applyInPlace(x);
    double rms = Math.sqrt(12.5 + 1e-6);
    assertThat((double) x[0]).isCloseTo(3 / rms, within(1e-6));
    assertThat((double) x[1]).isCloseTo(2 * 4 / rms, within(1e-6));
  }

  @Test
  void layerNormCentresScalesAndShifts() {
    float[] x = {1, 3};
    new LayerNorm(new float[] {2, 2}, new float[] {0.5f, 0.5f}, 1e-12f).applyInPlace(x);
    assertThat((double) x[0]).isCloseTo(-1.5, within(1e-6));
    assertThat((double) x[1]).isCloseTo(2.5, within(1e-6));
  }

  @Test
  void erfMatchesTabulatedValues() {
    double[][] table = {
      {0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
      {2, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3, 0.9999779095030014}, {4, 0.9999999845827421},
      {6, 1.0}
    };
    for (double[] row : table) {
      assertThat(Gelu.erf(row[0])).as("erf(%s)", row[0]).isCloseTo(row[1], within(1e-13));
      assertThat(Gelu.erf(-row[0])).isCloseTo(-row[1], within(1e-13));
    }
    assertThat(Gelu.gelu(1)).isCloseTo(0.8413447460685429, within(1e-13)); // 1 * Phi(1)
  }

  @Test
  void siluAndMulGatesTheUpProjection() {
    float[] g = {0, 2};
    float[] u = {5, 3};
    SwiGluMlp.siluAndMul(g, u);
    assertThat(g[0]).isZero();
    assertThat((double) g[1]).isCloseTo(2 / (1 + Math.exp(-2)) * 3, within(1e-6));
  }

  @Test
  void cachesAddressTokensByBlockTable() {
    PagedKvCache paged = new PagedKvCache(1, 2, 3, 5, 4);
    paged.setBlockTable(9, new int[] {3, 1});
    assertThat(paged.slot(9, 0)).isEqualTo(12);
    assertThat(paged.slot(9, 5)).isEqualTo(5);
    assertThat(paged.offset(9, 5)).isEqualTo(5 * 6);
    paged.writeSlots(0, new int[] {13, -1}, new float[] {1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0}, new float[12]);
    assertThat(paged.keys(0, 9)[13 * 6 + 5]).isEqualTo(6f);

    ContiguousKvCache contiguous = new ContiguousKvCache(2, 2, 3);
    contiguous.reserve(4, 3);
    float[] k = {1, 2, 3, 4, 5, 6};
    contiguous.write(1, 4, 2, k, 0, k, 0);
    contiguous.reserve(4, 40); // growing keeps what was written
    assertThat(contiguous.keys(1, 4)[contiguous.offset(4, 2) + 5]).isEqualTo(6f);
    assertThat(contiguous.values(0, 4)[contiguous.offset(4, 2)]).isZero();
  }
}
