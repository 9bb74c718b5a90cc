package dev.flashline.backend.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits a {@link FewShotClassifier} from a job's examples and label descriptions and, when it has
 * one, a sample of the unlabelled input.
 *
 * <ol>
 *   <li>Prototypes: every example, plus each label's "name: description".
 *   <li>Calibration: each example is scored with itself left out, and a softmax scale and
 *       per-label offsets are fitted to those leave-one-out scores by maximum likelihood. The
 *       confidence is therefore an honest probability under the examples' class balance.
 *   <li>Class balance: few-shot examples are usually balanced while real data is not (spam is 13%
 *       of the sample SMS). The balance on the data is estimated by EM over the unlabelled sample
 *       (Saerens, Latinne and Decaestecker, 2002) and the posteriors are shifted to it; without
 *       this a balanced classifier labels far too many records with the rare class.
 *   <li>Self-training: sample records labelled with confidence at least {@value
 *       #PSEUDO_LABEL_CONFIDENCE} join the prototypes, which covers kinds of text the examples
 *       missed; calibration and class balance are then fitted again.
 * </ol>
 *
 * Everything here is deterministic given its inputs, so every worker and every rerun that fits
 * on the same sample gets the same classifier.
 */
public final class FewShotTrainer {
  /** Softness of the nearest-neighbour score; small means close to the single nearest prototype. */
  static final double TEMPERATURE = 0.02;

  static final double PSEUDO_LABEL_CONFIDENCE = 0.9;
  static final int MIN_SAMPLE_FOR_PRIOR = 50;
  static final int MIN_SAMPLE_FOR_SELF_TRAINING = 200;
  static final int MIN_CALIBRATION_POINTS = 4;

  /** Softmax scale used when there are too few examples to fit one. */
  static final double DEFAULT_SCALE = 50;

  static final double MAX_SCALE = 2000;

  private FewShotTrainer() {}

  /** An example's vector and the index of its label. */
  public record LabelledVector(float[] vector, int label) {}

  /**
   * @param descriptions one vector per label: the embedded "name: description"
   * @param sample unlabelled input vectors, in a deterministic order; may be empty
   */
  public static FewShotClassifier fit(
      List<String> labels, List<LabelledVector> examples, List<float[]> descriptions, List<float[]> sample) {
    int k = labels.size();
    if (descriptions.size() != k) {
      throw new IllegalArgumentException("need one description vector per label");
    }
    List<float[]> vectors = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    for (LabelledVector example : examples) {
      vectors.add(example.vector());
      owners.add(example.label());
    }
    for (int label = 0; label < k; label++) {
      vectors.add(descriptions.get(label));
      owners.add(label);
    }
    Model model = calibrate(k, vectors, owners, new boolean[vectors.size()], examples.size());

    double[] dataPrior = null;
    int selfTrained = 0;
    if (model.calibrated && sample.size() >= MIN_SAMPLE_FOR_SELF_TRAINING) {
      double[][] logits = sampleLogits(model, sample, null);
      double[] prior = estimatePrior(logits, model.calibrationPrior);
      List<float[]> withPseudo = new ArrayList<>(vectors);
      List<Integer> pseudoOwners = new ArrayList<>(owners);
      int[] sampleIndex = new int[sample.size()];
      Arrays.fill(sampleIndex, -1);
      for (int i = 0; i < sample.size(); i++) {
        double[] p = FewShotClassifier.softmax(shift(logits[i], prior, model.calibrationPrior));
        int best = argmax(p);
        if (p[best] >= PSEUDO_LABEL_CONFIDENCE) {
          sampleIndex[i] = withPseudo.size();
          withPseudo.add(sample.get(i));
          pseudoOwners.add(best);
        }
      }
      boolean[] pseudo = new boolean[withPseudo.size()];
      Arrays.fill(pseudo, vectors.size(), pseudo.length, true);
      Model refit = calibrate(k, withPseudo, pseudoOwners, pseudo, examples.size());
      if (refit.calibrated) {
        model = refit;
        selfTrained = withPseudo.size() - vectors.size();
        dataPrior = estimatePrior(sampleLogits(model, sample, sampleIndex), model.calibrationPrior);
      } else {
        dataPrior = prior;
      }
    } else if (sample.size() >= MIN_SAMPLE_FOR_PRIOR) {
      dataPrior = estimatePrior(sampleLogits(model, sample, null), model.calibrationPrior);
    }

    double[] offset = model.offset.clone();
    if (dataPrior != null) {
      for (int label = 0; label < k; label++) {
        offset[label] += Math.log(dataPrior[label]) - Math.log(model.calibrationPrior[label]);
      }
    }
    FewShotClassifier.FitReport report =
        new FewShotClassifier.FitReport(
            model.calibrated, model.scale, examples.size(), sample.size(), selfTrained, model.calibrationPrior, dataPrior);
    // The model's own arrays, which always agree with each other (a refit that failed keeps the
    // prototypes it was fitted with).
    return new FewShotClassifier(
        labels,
        model.prototypes,
        TEMPERATURE,
        model.scale,
        offset,
        report);
  }

  /** Scale and offsets of the softmax, and the class balance they are calibrated under. */
  private record Model(
      Prototypes prototypes,
      int labels,
      boolean calibrated,
      double scale,
      double[] offset,
      double[] calibrationPrior) {}

  /**
   * Fits scale and offsets on leave-one-out scores of the examples (the first {@code examples}
   * prototypes).
   */
  private static Model calibrate(
      int labels, List<float[]> vectors, List<Integer> owners, boolean[] pseudo, int examples) {
    Prototypes prototypes = Prototypes.of(vectors, owners, pseudo, labels);
    float[][] exampleVectors = vectors.subList(0, examples).toArray(new float[0][]);
    int[] leaveOut = new int[examples];
    Arrays.setAll(leaveOut, e -> e);
    double[][] looScores = prototypes.scores(exampleVectors, TEMPERATURE, leaveOut, true);
    List<double[]> scores = new ArrayList<>();
    List<Integer> truth = new ArrayList<>();
    double[] counts = new double[labels];
    for (int e = 0; e < examples; e++) {
      double[] s = looScores[e];
      if (Arrays.stream(s).allMatch(Double::isFinite)) {
        scores.add(s);
        truth.add(owners.get(e));
        counts[owners.get(e)]++;
      }
    }
    long represented = Arrays.stream(counts).filter(c -> c > 0).count();
    if (scores.size() < MIN_CALIBRATION_POINTS || represented < 2) {
      double[] uniform = new double[labels];
      Arrays.fill(uniform, 1.0 / labels);
      return new Model(prototypes, labels, false, DEFAULT_SCALE, new double[labels], uniform);
    }
    double[] prior = new double[labels];
    for (int label = 0; label < labels; label++) {
      // A label with no usable example still gets a little mass so its log stays finite.
      prior[label] = (counts[label] + 0.5) / (scores.size() + 0.5 * labels);
    }
    double[] theta = Softmax.fit(scores.toArray(new double[0][]), truth.stream().mapToInt(Integer::intValue).toArray(), labels, MAX_SCALE);
    double[] offset = Arrays.copyOfRange(theta, 1, theta.length);
    return new Model(prototypes, labels, true, theta[0], offset, prior);
  }

  /** Calibrated logits of each sample record, (sample, labels); a record skips its own prototype. */
  private static double[][] sampleLogits(Model model, List<float[]> sample, int[] ownPrototype) {
    double[][] scores = model.prototypes.scores(sample.toArray(new float[0][]), TEMPERATURE, ownPrototype, true);
    double[][] logits = new double[sample.size()][];
    for (int i = 0; i < sample.size(); i++) {
      double[] s = scores[i];
      double[] z = new double[model.labels];
      for (int k = 0; k < z.length; k++) {
        z[k] = model.scale * s[k] + model.offset[k];
      }
      logits[i] = z;
    }
    return logits;
  }

  /**
   * EM estimate of the class balance of the data the logits came from, given that the logits are
   * calibrated under {@code calibrationPrior}.
   */
  static double[] estimatePrior(double[][] logits, double[] calibrationPrior) {
    int k = calibrationPrior.length;
    double[] prior = calibrationPrior.clone();
    for (int iteration = 0; iteration < 1000; iteration++) {
      double[] next = new double[k];
      for (double[] z : logits) {
        double[] p = FewShotClassifier.softmax(shift(z, prior, calibrationPrior));
        for (int label = 0; label < k; label++) {
          next[label] += p[label];
        }
      }
      double change = 0;
      for (int label = 0; label < k; label++) {
        next[label] = Math.max(next[label] / logits.length, 1e-6);
        change = Math.max(change, Math.abs(next[label] - prior[label]));
      }
      prior = next;
      if (change < 1e-7) {
        break;
      }
    }
    return prior;
  }

  private static double[] shift(double[] logits, double[] prior, double[] calibrationPrior) {
    double[] z = new double[logits.length];
    for (int k = 0; k < z.length; k++) {
      z[k] = logits[k] + Math.log(prior[k]) - Math.log(calibrationPrior[k]);
    }
    return z;
  }

  private static int argmax(double[] p) {
    int best = 0;
    for (int k = 1; k < p.length; k++) {
      if (p[k] > p[best]) {
        best = k;
      }
    }
    return best;
  }
}
