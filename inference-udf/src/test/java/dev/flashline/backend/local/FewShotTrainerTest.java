package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FewShotTrainerTest {
  private static final List<String> TWO = List.of("rare", "common");
  private static final List<String> THREE = List.of("a", "b", "c");

  @Test
  void enoughExamplesAreCalibrated() {
    SyntheticClusters data = new SyntheticClusters(1, 2, 1.2);
    FewShotClassifier classifier = FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), List.of());

    FewShotClassifier.FitReport report = classifier.report();
    assertThat(report.calibrated()).isTrue();
    assertThat(report.examples()).isEqualTo(20);
    assertThat(report.scale()).isFinite().isPositive().isLessThanOrEqualTo(FewShotTrainer.MAX_SCALE);
    assertThat(report.examplePrior()).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
    assertThat(classifier.labels()).isEqualTo(TWO);
  }

  @Test
  void adaptationOffWithoutASample() {
    SyntheticClusters data = new SyntheticClusters(2, 2, 1.2);
    FewShotClassifier.FitReport report =
        FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), List.of()).report();

    assertThat(report.sampleSize()).isZero();
    assertThat(report.dataPrior()).isNull();
    assertThat(report.selfTrainingPrototypes()).isZero();
  }

  @Test
  void smallSampleEstimatesThePriorWithoutSelfTraining() {
    SyntheticClusters data = new SyntheticClusters(3, 2, 1.2);
    SyntheticClusters.Labelled sample = data.sample(FewShotTrainer.MIN_SAMPLE_FOR_SELF_TRAINING - 1, 0.2);
    FewShotClassifier.FitReport report =
        FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), sample.vectors()).report();

    assertThat(report.sampleSize()).isEqualTo(sample.vectors().size());
    assertThat(report.selfTrainingPrototypes()).isZero();
    assertThat(report.dataPrior()).isNotNull();
    assertThat(report.dataPrior()[0]).isCloseTo(sample.share(0), within(0.05));

    SyntheticClusters.Labelled tiny = data.sample(FewShotTrainer.MIN_SAMPLE_FOR_PRIOR - 1, 0.2);
    assertThat(FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), tiny.vectors()).report().dataPrior())
        .isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void imbalancedSampleGivesTheDataPriorWhileExamplesAreBalanced(long seed) {
    SyntheticClusters data = new SyntheticClusters(seed, 2, 1.2);
    SyntheticClusters.Labelled sample = data.sample(600, 0.10);
    FewShotClassifier classifier = FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), sample.vectors());

    FewShotClassifier.FitReport report = classifier.report();
    assertThat(report.calibrated()).isTrue();
    assertThat(report.sampleSize()).isEqualTo(600);
    assertThat(report.examplePrior()).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
    assertThat(report.dataPrior()).hasSize(2);
    assertThat(report.dataPrior()[0]).isCloseTo(sample.share(0), within(0.03));
    assertThat(report.dataPrior()[0] + report.dataPrior()[1]).isCloseTo(1.0, within(1e-9));
    assertThat(report.selfTrainingPrototypes()).isGreaterThan(300).isLessThanOrEqualTo(600);

    // The labels follow the data's balance, not the examples'.
    SyntheticClusters.Labelled heldOut = data.sample(1000, 0.10);
    long rare = heldOut.vectors().stream().filter(v -> classifier.predict(v).label().equals("rare")).count();
    assertThat(rare / 1000.0).isCloseTo(heldOut.share(0), within(0.03));
  }

  @Test
  void predictionsAreMostlyRightAndMoreConfidentWhenRight() {
    SyntheticClusters data = new SyntheticClusters(21, 3, 1.8);
    SyntheticClusters.Labelled sample = data.sample(600, 1.0 / 3);
    FewShotClassifier classifier = FewShotTrainer.fit(THREE, data.examples(10), data.descriptions(), sample.vectors());

    SyntheticClusters.Labelled heldOut = data.sample(1500, 1.0 / 3);
    int right = 0;
    double confidenceRight = 0;
    double confidenceWrong = 0;
    for (int i = 0; i < heldOut.truth().length; i++) {
      Prediction prediction = classifier.predict(heldOut.vectors().get(i));
      assertThat(prediction.confidence()).isBetween(0.0, 1.0);
      assertThat(Arrays.stream(prediction.probabilities()).sum()).isCloseTo(1.0, within(1e-9));
      assertThat(prediction.confidence())
          .isEqualTo(prediction.probabilities()[THREE.indexOf(prediction.label())]);
      if (prediction.label().equals(THREE.get(heldOut.truth()[i]))) {
        right++;
        confidenceRight += prediction.confidence();
      } else {
        confidenceWrong += prediction.confidence();
      }
    }
    int wrong = heldOut.truth().length - right;
    assertThat(right / (double) heldOut.truth().length).isGreaterThan(0.85);
    assertThat(wrong).as("the clusters overlap, so some predictions are wrong").isPositive();
    assertThat(confidenceRight / right).isGreaterThan(confidenceWrong / wrong);
  }

  @Test
  void tooFewExamplesAreNotCalibrated() {
    SyntheticClusters data = new SyntheticClusters(4, 2, 1.2);
    FewShotClassifier classifier = FewShotTrainer.fit(TWO, data.examples(1), data.descriptions(), List.of());

    assertThat(classifier.report().calibrated()).isFalse();
    assertThat(classifier.report().scale()).isEqualTo(FewShotTrainer.DEFAULT_SCALE);
    Prediction prediction = classifier.predict(data.point(0));
    assertThat(Arrays.stream(prediction.probabilities()).sum()).isCloseTo(1.0, within(1e-9));
    assertThat(prediction.label()).isEqualTo("rare");
  }

  @Test
  void examplesOfOneLabelOnlyAreNotCalibrated() {
    SyntheticClusters data = new SyntheticClusters(5, 2, 1.2);
    List<FewShotTrainer.LabelledVector> examples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      examples.add(new FewShotTrainer.LabelledVector(data.point(1), 1));
    }
    FewShotClassifier classifier = FewShotTrainer.fit(TWO, examples, data.descriptions(), List.of());
    assertThat(classifier.report().calibrated()).isFalse();
    assertThat(classifier.predict(data.point(0)).label()).isEqualTo("rare");
  }

  @Test
  void descriptionsAloneStillClassify() {
    SyntheticClusters data = new SyntheticClusters(6, 3, 1.0);
    FewShotClassifier classifier = FewShotTrainer.fit(THREE, List.of(), data.descriptions(), List.of());
    assertThat(classifier.report().calibrated()).isFalse();
    assertThat(classifier.report().examples()).isZero();
    for (int k = 0; k < 3; k++) {
      assertThat(classifier.predict(data.centre(k)).label()).isEqualTo(THREE.get(k));
    }
  }

  @Test
  void needsOneDescriptionPerLabel() {
    SyntheticClusters data = new SyntheticClusters(7, 2, 1.2);
    assertThatThrownBy(
            () -> FewShotTrainer.fit(TWO, data.examples(3), data.descriptions().subList(0, 1), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("description");
  }

  @Test
  void fittingIsDeterministic() {
    SyntheticClusters data = new SyntheticClusters(8, 3, 1.6);
    List<FewShotTrainer.LabelledVector> examples = data.examples(8);
    List<float[]> descriptions = data.descriptions();
    List<float[]> sample = data.sample(400, 0.2).vectors();
    FewShotClassifier first = FewShotTrainer.fit(THREE, examples, descriptions, sample);
    FewShotClassifier second =
        FewShotTrainer.fit(THREE, List.copyOf(examples), List.copyOf(descriptions), new ArrayList<>(sample));

    assertThat(second.report().scale()).isEqualTo(first.report().scale());
    assertThat(second.report().dataPrior()).containsExactly(first.report().dataPrior());
    assertThat(second.report().selfTrainingPrototypes()).isEqualTo(first.report().selfTrainingPrototypes());
    for (float[] x : data.sample(200, 0.2).vectors()) {
      Prediction a = first.predict(x);
      Prediction b = second.predict(x);
      assertThat(b.label()).isEqualTo(a.label());
      assertThat(b.probabilities()).containsExactly(a.probabilities());
    }
  }

  @Test
  void aSelfTrainingPrototypeIsNotPredictedFromItself() {
    SyntheticClusters data = new SyntheticClusters(9, 2, 1.8);
    List<float[]> sample = data.sample(400, 0.3).vectors();
    FewShotClassifier classifier = FewShotTrainer.fit(TWO, data.examples(10), data.descriptions(), sample);
    int selfTrained = classifier.report().selfTrainingPrototypes();
    assertThat(selfTrained).isPositive();

    int prototypes = 0;
    int lessConfident = 0;
    for (float[] x : sample) {
      double[] without = classifier.classScores(x, -1, true);
      double[] with = classifier.classScores(x, -1, false);
      if (Arrays.equals(without, with)) {
        continue;
      }
      // x is a prototype of its own: counting it would make x's label look closer than it is.
      prototypes++;
      Prediction prediction = classifier.predict(x);
      assertThat(prediction.probabilities())
          .containsExactly(FewShotClassifier.softmax(classifier.logits(without)), within(1e-12));
      int own = with[0] > without[0] ? 0 : 1; // the label x was self-trained as
      assertThat(with[own]).isGreaterThan(without[own]);
      assertThat(with[1 - own]).isEqualTo(without[1 - own]);
      double selfConfidence = FewShotClassifier.softmax(classifier.logits(with))[own];
      assertThat(prediction.probabilities()[own]).isLessThanOrEqualTo(selfConfidence);
      if (prediction.probabilities()[own] < Math.min(selfConfidence, FewShotClassifier.SELF_MATCH)) {
        lessConfident++;
      }
    }
    // Every sample record that became a prototype (and no other) matches itself.
    assertThat(prototypes).isEqualTo(selfTrained);
    assertThat(lessConfident).isPositive();
  }

  @Test
  void estimatePriorRecoversTheBalanceOfCalibratedLogits() {
    Random random = new Random(31);
    double[] truePrior = {0.15, 0.25, 0.60};
    double[] means = {-2, 0, 2};
    double[] calibration = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    int n = 6000;
    double[][] logits = new double[n][];
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble();
      int label = u < truePrior[0] ? 0 : u < truePrior[0] + truePrior[1] ? 1 : 2;
      double s = means[label] + random.nextGaussian();
      // Log likelihoods plus log calibration prior: the posterior under the calibration prior.
      double[] z = new double[3];
      for (int k = 0; k < 3; k++) {
        z[k] = -0.5 * (s - means[k]) * (s - means[k]) + Math.log(calibration[k]);
      }
      logits[i] = z;
    }
    double[] prior = FewShotTrainer.estimatePrior(logits, calibration);
    assertThat(prior).hasSize(3);
    assertThat(prior[0]).isCloseTo(0.15, within(0.03));
    assertThat(prior[1]).isCloseTo(0.25, within(0.03));
    assertThat(prior[2]).isCloseTo(0.60, within(0.03));
    assertThat(Arrays.stream(prior).sum()).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void estimatePriorUnderAnUnevenCalibrationPrior() {
    Random random = new Random(37);
    double[] calibration = {0.8, 0.2};
    int n = 5000;
    double[][] logits = new double[n][];
    for (int i = 0; i < n; i++) {
      int label = random.nextDouble() < 0.5 ? 0 : 1;
      double s = (label == 0 ? -1.5 : 1.5) + random.nextGaussian();
      logits[i] =
          new double[] {
            -0.5 * (s + 1.5) * (s + 1.5) + Math.log(calibration[0]),
            -0.5 * (s - 1.5) * (s - 1.5) + Math.log(calibration[1])
          };
    }
    double[] prior = FewShotTrainer.estimatePrior(logits, calibration);
    assertThat(prior[0]).isCloseTo(0.5, within(0.03));
  }

  @Test
  void uninformativeLogitsKeepTheCalibrationPrior() {
    double[][] logits = new double[100][];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = new double[] {0.3, 0.3};
    }
    // Equal logits under a 0.7/0.3 calibration prior say "the calibration prior": a fixed point.
    double[][] shifted = new double[100][];
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] = new double[] {Math.log(0.7), Math.log(0.3)};
    }
    assertThat(FewShotTrainer.estimatePrior(shifted, new double[] {0.7, 0.3}))
        .containsExactly(new double[] {0.7, 0.3}, within(1e-6));
    assertThat(FewShotTrainer.estimatePrior(logits, new double[] {0.5, 0.5}))
        .containsExactly(new double[] {0.5, 0.5}, within(1e-6));
  }

  @Test
  void estimatePriorOfConfidentLogitsIsTheLabelShare() {
    double[][] logits = new double[200][];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = i % 4 == 0 ? new double[] {20, 0} : new double[] {0, 20};
    }
    assertThat(FewShotTrainer.estimatePrior(logits, new double[] {0.5, 0.5}))
        .containsExactly(new double[] {0.25, 0.75}, within(1e-4));
  }
}
