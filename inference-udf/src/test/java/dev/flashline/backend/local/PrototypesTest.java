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
    double[] scores = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 1.0, -1, true);
    assertThat(scores[0]).isCloseTo(Math.log((Math.exp(1) + Math.exp(0)) / 2), within(1e-6));
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));

    double[] cold = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 0.1, -1, true);
    assertThat(cold[0]).isCloseTo(0.1 * Math.log((Math.exp(10) + Math.exp(0)) / 2), within(1e-6));
    assertThat(cold[1]).isCloseTo(0.6, within(1e-6));
  }

  @Test
  void smallTemperatureApproachesTheNearestPrototypeWithoutOverflow() {
    double t = 0.001;
    double[] scores = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, t, -1, true);
    // exp(1 / 0.001) overflows a double; the score must not.
    assertThat(scores[0]).isFinite().isCloseTo(1 + t * Math.log(0.5), within(1e-6));
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));
  }

  @Test
  void largeTemperatureApproachesTheMeanSimilarity() {
    double[] scores = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 1000, -1, true);
    assertThat(scores[0]).isCloseTo(0.5, within(1e-3));
  }

  @Test
  void skipLeavesOneOut() {
    double[] scores = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 1.0, 0, true);
    assertThat(scores[0]).isCloseTo(0.0, within(1e-6)); // only p1 is left: cos 0
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));

    double[] withoutLabel1 = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 1.0, 2, true);
    assertThat(withoutLabel1[1]).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void labelWithoutPrototypesScoresMinusInfinity() {
    double[] scores = Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 3, 0.02, -1, true);
    assertThat(scores).hasSize(3);
    assertThat(scores[0]).isFinite();
    assertThat(scores[1]).isFinite();
    assertThat(scores[2]).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void pseudoPrototypeThatIsTheTextItselfIsLeftOutOnlyWhenAsked() {
    boolean[] pseudo = {true, false, false};
    double[] skipping = Prototypes.scores(X, PROTOTYPES, OWNER, pseudo, 2, 1.0, -1, true);
    assertThat(skipping[0]).isCloseTo(0.0, within(1e-6));
    double[] keeping = Prototypes.scores(X, PROTOTYPES, OWNER, pseudo, 2, 1.0, -1, false);
    assertThat(keeping[0]).isCloseTo(Math.log((Math.exp(1) + 1) / 2), within(1e-6));

    // A pseudo prototype that is merely similar stays.
    boolean[] pseudoNeighbour = {false, false, true};
    assertThat(Prototypes.scores(X, PROTOTYPES, OWNER, pseudoNeighbour, 2, 1.0, -1, true)[1])
        .isCloseTo(0.6, within(1e-6));
    // A user's prototype identical to the text stays too.
    assertThat(Prototypes.scores(X, PROTOTYPES, OWNER, NONE_PSEUDO, 2, 1.0, -1, true)[0])
        .isCloseTo(keeping[0], within(1e-12));
  }

  @Test
  void allPrototypesOfALabelSelfMatchingLeavesItUnscored() {
    float[][] prototypes = {{1, 0}, {0.6f, 0.8f}};
    double[] scores =
        Prototypes.scores(X, prototypes, new int[] {0, 1}, new boolean[] {true, false}, 2, 0.02, -1, true);
    assertThat(scores[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(scores[1]).isCloseTo(0.6, within(1e-6));
  }
}
