package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrototypesTest {
  private static final float[] X = {1, 0};
  // p0 and p1 belong to label 0, p2 to label 1; cos with X: 1, 0, 0.6.
  private static final float[][] PROTOTYPES = {{1, 0}, {0, 1}, {0.6f, 0.8f}};
  private static final int[] OWNER = {0, 0, 1};
  private static final boolean[] NONE_PSEUDO = {false, false, false};

  @Test
  void softNearestNeighbourScoreByHand() {
    double[] scores = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 1.0, -1, true);
    assertThat(scores[0]).isCloseTo(Math.log((Math.exp(1) + Math.exp(0)) / 2), within(1e-6));
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));

    double[] cold = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 0.1, -1, true);
    assertThat(cold[0]).isCloseTo(0.1 * Math.log((Math.exp(10) + Math.exp(0)) / 2), within(1e-6));
    assertThat(cold[1]).isCloseTo(0.6, within(1e-6));
  }

  @Test
  void smallTemperatureApproachesTheNearestPrototypeWithoutOverflow() {
    double t = 0.001;
    double[] scores = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, t, -1, true);
    // exp(1 / 0.001) overflows a double; the score must not.
    assertThat(scores[0]).isFinite().isCloseTo(1 + t * Math.log(0.5), within(1e-6));
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));
  }

  @Test
  void largeTemperatureApproachesTheMeanSimilarity() {
    double[] scores = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 1000, -1, true);
    assertThat(scores[0]).isCloseTo(0.5, within(1e-3));
  }

  @Test
  void skipLeavesOneOut() {
    double[] scores = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 1.0, 0, true);
    assertThat(scores[0]).isCloseTo(0.0, within(1e-6)); // only p1 is left: cos 0
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));

    double[] withoutLabel1 = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 1.0, 2, true);
    assertThat(withoutLabel1[1]).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void labelWithoutPrototypesScoresMinusInfinity() {
    double[] scores = new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 3).scores(X, 0.02, -1, true);
    assertThat(scores).hasSize(3);
    assertThat(scores[0]).isFinite();
    assertThat(scores[1]).isFinite();
    assertThat(scores[2]).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void pseudoPrototypeThatIsTheTextItselfIsLeftOutOnlyWhenAsked() {
    boolean[] pseudo = {true, false, false};
    double[] skipping = new Prototypes(PROTOTYPES, OWNER, pseudo, 2).scores(X, 1.0, -1, true);
    assertThat(skipping[0]).isCloseTo(0.0, within(1e-6));
    double[] keeping = new Prototypes(PROTOTYPES, OWNER, pseudo, 2).scores(X, 1.0, -1, false);
    assertThat(keeping[0]).isCloseTo(Math.log((Math.exp(1) + 1) / 2), within(1e-6));

    // A pseudo prototype that is merely similar stays.
    boolean[] pseudoNeighbour = {false, false, true};
    assertThat(new Prototypes(PROTOTYPES, OWNER, pseudoNeighbour, 2).scores(X, 1.0, -1, true)[1])
        .isCloseTo(0.6, within(1e-6));
    // A user's prototype identical to the text stays too.
    assertThat(new Prototypes(PROTOTYPES, OWNER, NONE_PSEUDO, 2).scores(X, 1.0, -1, true)[0])
        .isCloseTo(keeping[0], within(1e-12));
  }

  @Test
  void batchScoresEqualOneAtATimeScoresExactly() {
    java.util.Random random = new java.util.Random(7);
    int dimension = 48;
    float[][] vectors = new float[2500][dimension];
    int[] owner = new int[vectors.length];
    for (int p = 0; p < vectors.length; p++) {
      for (int d = 0; d < dimension; d++) {
        vectors[p][d] = (float) random.nextGaussian();
      }
      vectors[p] = Vectors.normalise(vectors[p]);
      owner[p] = p % 3;
    }
    Prototypes prototypes = new Prototypes(vectors, owner, new boolean[vectors.length], 3);
    float[][] texts = new float[37][];
    for (int t = 0; t < texts.length; t++) {
      texts[t] = vectors[t * 13];
    }
    double[][] batch = prototypes.scores(texts, 0.02, null, true);
    for (int t = 0; t < texts.length; t++) {
      assertThat(batch[t]).containsExactly(prototypes.scores(texts[t], 0.02, -1, true));
      // Against a plain dot product: the nearest prototype of the text's own label is itself.
      assertThat(batch[t][owner[t * 13]]).isGreaterThanOrEqualTo(0.02 * (1 / 0.02 + Math.log(1.0 / (vectors.length / 3 + 1))) - 1e-6);
    }
  }

  @Test
  void allPrototypesOfALabelSelfMatchingLeavesItUnscored() {
    float[][] prototypes = {{1, 0}, {0.6f, 0.8f}};
    double[] scores =
        new Prototypes(prototypes, new int[] {0, 1}, new boolean[] {true, false}, 2).scores(X, 0.02, -1, true);
    assertThat(scores[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));
  }
}
