package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

  /** Points whose labels are drawn from softmax(scale * s + offset). */
  private record Data(double[][] scores, int[] truth) {}

  private static Data draw(Random random, int n, double scale, double[] offset) {
    int labels = offset.length;
    double[][] scores = new double[n][labels];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      double[] z = new double[labels];
      for (int k = 0; k < labels; k++) {
        scores[i][k] = 0.6 + 0.2 * random.nextDouble();
        z[k] = scale * scores[i][k] + offset[k];
      }
      double[] p = FewShotClassifier.softmax(z);
      double u = random.nextDouble();
      int label = 0;
      double cumulative = p[0];
      while (u > cumulative && label < labels - 1) {
        label++;
        cumulative += p[label];
      }
      truth[i] = label;
    }
    return new Data(scores, truth);
  }

  @Test
  void recoversScaleAndOffsetsOfTwoLabels() {
    Data data = draw(new Random(11), 6000, 40, new double[] {0, -0.8});
    double[] theta = Softmax.fit(data.scores(), data.truth(), 2, 2000);

    assertThat(theta).hasSize(3);
    assertThat(theta[0]).isCloseTo(40, within(4.0));
    assertThat(theta[1]).isZero();
    assertThat(theta[2]).isCloseTo(-0.8, within(0.15));
  }

  @Test
  void recoversScaleAndOffsetsOfThreeLabels() {
    Data data = draw(new Random(7), 8000, 40, new double[] {0, 0.5, -0.7});
    double[] theta = Softmax.fit(data.scores(), data.truth(), 3, 2000);

    assertThat(theta).hasSize(4);
    assertThat(theta[0]).isCloseTo(40, within(4.0));
    assertThat(theta[1]).isZero();
    assertThat(theta[2]).isCloseTo(0.5, within(0.15));
    assertThat(theta[3]).isCloseTo(-0.7, within(0.15));
  }

  @Test
  void aSmallerScaleIsRecoveredToo() {
    Data data = draw(new Random(3), 6000, 8, new double[] {0, 0.3});
    double[] theta = Softmax.fit(data.scores(), data.truth(), 2, 2000);
    assertThat(theta[0]).isCloseTo(8, within(1.5));
    assertThat(theta[2]).isCloseTo(0.3, within(0.15));
  }

  @Test
  void fitIsDeterministic() {
    Data data = draw(new Random(5), 500, 30, new double[] {0, 0.2, 0.1});
    assertThat(Softmax.fit(data.scores(), data.truth(), 3, 2000))
        .containsExactly(Softmax.fit(data.scores(), data.truth(), 3, 2000));
  }

  /** Every point's true label has the highest score by a margin: the likelihood has no finite optimum. */
  private static Data separable(int n) {
    Random random = new Random(17);
    double[][] scores = new double[n][2];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = i % 2;
      double high = 0.8 + 0.1 * random.nextDouble();
      double low = 0.5 + 0.2 * random.nextDouble();
      scores[i][truth[i]] = high;
      scores[i][1 - truth[i]] = low;
    }
    return new Data(scores, truth);
  }

  @Test
  void separablePointsGiveAFiniteScaleWithinTheCap() {
    Data data = separable(40);
    double[] theta = Softmax.fit(data.scores(), data.truth(), 2, FewShotTrainer.MAX_SCALE);
    assertThat(java.util.Arrays.stream(theta).allMatch(Double::isFinite)).isTrue();
    assertThat(theta[0]).isPositive().isLessThanOrEqualTo(FewShotTrainer.MAX_SCALE);
    // Confident, as the points deserve.
    assertThat(theta[0]).isGreaterThan(50);
    assertThat(Math.abs(theta[2])).isLessThan(5);
  }

  @Test
  void scaleNeverExceedsTheCap() {
    Data data = separable(40);
    double[] theta = Softmax.fit(data.scores(), data.truth(), 2, 20);
    assertThat(theta[0]).isFinite().isLessThanOrEqualTo(20).isGreaterThan(19);
    assertThat(theta[2]).isFinite();
  }

  @Test
  void uninformativeScoresGiveAScaleNearZeroAndOffsetsAtTheClassBalance() {
    Random random = new Random(23);
    int n = 4000;
    double[][] scores = new double[n][2];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      scores[i][0] = random.nextDouble();
      scores[i][1] = random.nextDouble();
      truth[i] = i % 4 == 0 ? 1 : 0; // a quarter are label 1, whatever the scores
    }
    double[] theta = Softmax.fit(scores, truth, 2, 2000);
    assertThat(theta[0]).isBetween(0.0, 0.5);
    assertThat(theta[2]).isCloseTo(Math.log(0.25 / 0.75), within(0.1));
  }
}
