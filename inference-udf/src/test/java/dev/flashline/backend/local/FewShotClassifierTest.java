package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FewShotClassifierTest {
  private static final List<String> LABELS = List.of("ham", "spam");
  private static final FewShotClassifier.FitReport REPORT =
      new FewShotClassifier.FitReport(true, 10, 2, 0, 0, new double[] {0.5, 0.5}, null);

  private static float[] unit(double... v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Vectors.normalise(f);
  }

  private static FewShotClassifier classifier(float[][] prototypes, int[] owner, boolean[] pseudo, double[] offset) {
    return new FewShotClassifier(LABELS, prototypes, owner, pseudo, 0.02, 10, offset, REPORT);
  }

  @Test
  void probabilitiesAreASoftmaxOfScaledScores() {
    float[][] prototypes = {unit(1, 0), unit(0, 1)};
    FewShotClassifier c = classifier(prototypes, new int[] {0, 1}, new boolean[2], new double[] {0, 0});
    float[] x = unit(0.8, 0.6);

    Prediction prediction = c.predict(x);
    // scores: 0.8 and 0.6 (one prototype each, so the temperature does not matter); logits 8 and 6.
    double expected = Math.exp(8) / (Math.exp(8) + Math.exp(6));
    assertThat(prediction.label()).isEqualTo("ham");
    assertThat(prediction.confidence()).isCloseTo(expected, within(1e-6));
    assertThat(prediction.probabilities()).containsExactly(new double[] {expected, 1 - expected}, within(1e-6));
    assertThat(Arrays.stream(prediction.probabilities()).sum()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void offsetsShiftTheDecision() {
    float[][] prototypes = {unit(1, 0), unit(0, 1)};
    FewShotClassifier c = classifier(prototypes, new int[] {0, 1}, new boolean[2], new double[] {0, 3});
    Prediction prediction = c.predict(unit(0.8, 0.6));
    // logits 8 and 6 + 3 = 9
    assertThat(prediction.label()).isEqualTo("spam");
    assertThat(prediction.confidence()).isCloseTo(Math.exp(9) / (Math.exp(8) + Math.exp(9)), within(1e-6));
  }

  @Test
  void labelWithoutPrototypesGetsZeroProbability() {
    float[][] prototypes = {unit(1, 0), unit(0.5, 0.5)};
    FewShotClassifier c = classifier(prototypes, new int[] {0, 0}, new boolean[2], new double[] {0, 0});
    Prediction prediction = c.predict(unit(0, 1));
    assertThat(prediction.label()).isEqualTo("ham");
    assertThat(prediction.confidence()).isEqualTo(1.0);
    assertThat(prediction.probabilities()[1]).isZero();
  }

  @Test
  void selfTrainingPrototypeIdenticalToTheTextIsIgnored() {
    float[] x = unit(0.7, 0.3, 0.2);
    float[][] base = {unit(1, 0, 0), unit(0, 1, 0)};
    float[][] withSelf = {base[0], base[1], x.clone()};
    FewShotClassifier plain = classifier(base, new int[] {0, 1}, new boolean[2], new double[] {0, 0});
    FewShotClassifier selfTrained =
        classifier(withSelf, new int[] {0, 1, 1}, new boolean[] {false, false, true}, new double[] {0, 0});

    // The record x, labelled "spam" by self-training, is not "spam" because it is close to itself.
    assertThat(selfTrained.predict(x).probabilities()).containsExactly(plain.predict(x).probabilities(), within(1e-12));
    assertThat(selfTrained.predict(x).label()).isEqualTo("ham");

    // A text near (not identical to) the pseudo prototype does use it.
    float[] neighbour = unit(0.69, 0.31, 0.2);
    assertThat(selfTrained.predict(neighbour).label()).isEqualTo("spam");

    // An example given by the user is used even for the identical text.
    FewShotClassifier example =
        classifier(withSelf, new int[] {0, 1, 1}, new boolean[3], new double[] {0, 0});
    assertThat(example.predict(x).label()).isEqualTo("spam");
  }

  @Test
  void softmaxIsStableForLargeLogits() {
    double[] p = FewShotClassifier.softmax(new double[] {1000, 999, Double.NEGATIVE_INFINITY});
    assertThat(p[0]).isCloseTo(Math.exp(1) / (Math.exp(1) + 1), within(1e-12));
    assertThat(p[2]).isZero();
    assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void rejectsInconsistentArrays() {
    float[][] prototypes = {unit(1, 0), unit(0, 1)};
    assertThatThrownBy(() -> classifier(prototypes, new int[] {0}, new boolean[2], new double[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> classifier(prototypes, new int[] {0, 1}, new boolean[1], new double[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> classifier(prototypes, new int[] {0, 1}, new boolean[2], new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    SyntheticClusters data = new SyntheticClusters(41, 2, 1.2);
    FewShotClassifier original =
        FewShotTrainer.fit(LABELS, data.examples(6), data.descriptions(), data.sample(250, 0.3).vectors());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(original);
    }
    FewShotClassifier copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (FewShotClassifier) in.readObject();
    }
    assertThat(copy.labels()).isEqualTo(LABELS);
    assertThat(copy.report().dataPrior()).containsExactly(original.report().dataPrior());
    for (float[] x : data.sample(50, 0.5).vectors()) {
      assertThat(copy.predict(x).probabilities()).containsExactly(original.predict(x).probabilities());
    }
  }
}
