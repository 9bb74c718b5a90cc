package dev.flashline.backend.local;

import java.io.Serializable;
import java.util.List;

/**
 * A fitted few-shot classifier over sentence embeddings (see {@link FewShotTrainer} for how it is
 * fitted, and docs/local-backend.md for why this method).
 *
 * <p>Each label is represented by prototypes: its examples, its description, and (after
 * adaptation) input records it labelled with high confidence. A text's score for a label is a
 * soft nearest-neighbour similarity to that label's prototypes, {@code T * log(mean(exp(cos / T)))},
 * which behaves like the nearest prototype when T is small and so copes with labels whose examples
 * are spread out (ordinary messages are far more varied than spam). Scores become probabilities
 * through a softmax with a scale and per-label offsets fitted on leave-one-out predictions of the
 * examples, plus the log ratio of the class balance estimated on the data to the examples' own.
 */
public final class FewShotClassifier implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Cosine at or above which a self-training prototype is the record itself (or an exact copy). */
  static final double SELF_MATCH = 0.99999;

  private final List<String> labels;
  private final Prototypes prototypes;
  private final double temperature;
  private final double scale;
  private final double[] offset; // (labels): calibration offset + log(prior on data / prior of examples)
  private final FitReport report;

  FewShotClassifier(
      List<String> labels,
      float[][] prototypes,
      int[] prototypeLabel,
      boolean[] pseudo,
      double temperature,
      double scale,
      double[] offset,
      FitReport report) {
    this(labels, new Prototypes(prototypes, prototypeLabel, pseudo, labels.size()), temperature, scale, offset, report);
  }

  FewShotClassifier(
      List<String> labels, Prototypes prototypes, double temperature, double scale, double[] offset, FitReport report) {
    if (offset.length != labels.size() || prototypes.labels() != labels.size()) {
      throw new IllegalArgumentException("need one offset and one prototype label per label");
    }
    this.labels = List.copyOf(labels);
    this.prototypes = prototypes;
    this.temperature = temperature;
    this.scale = scale;
    this.offset = offset;
    this.report = report;
  }

  public List<String> labels() {
    return labels;
  }

  public FitReport report() {
    return report;
  }

  public Prediction predict(float[] embedding) {
    return predictAll(new float[][] {embedding})[0];
  }

  /**
   * Predictions for several texts at once, (texts); faster per text than one at a time, and the
   * same answers.
   */
  public Prediction[] predictAll(float[][] embeddings) {
    double[][] scores = prototypes.scores(embeddings, temperature, null, true);
    Prediction[] predictions = new Prediction[embeddings.length];
    for (int t = 0; t < embeddings.length; t++) {
      double[] probabilities = softmax(logits(scores[t]));
      int best = 0;
      for (int k = 1; k < probabilities.length; k++) {
        if (probabilities[k] > probabilities[best]) {
          best = k;
        }
      }
      predictions[t] = new Prediction(labels.get(best), probabilities[best], probabilities);
    }
    return predictions;
  }

  /** Calibrated logits with the class-balance shift included, (labels). */
  double[] logits(double[] scores) {
    double[] z = new double[scores.length];
    for (int k = 0; k < z.length; k++) {
      z[k] = scale * scores[k] + offset[k];
    }
    return z;
  }

  /**
   * Soft nearest-neighbour score of every label, (labels).
   *
   * @param skip a prototype index to leave out (leave-one-out), or -1
   * @param skipSelfMatches leave out self-training prototypes that are this very text
   */
  double[] classScores(float[] x, int skip, boolean skipSelfMatches) {
    return prototypes.scores(x, temperature, skip, skipSelfMatches);
  }

  static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      p[k] = Math.exp(z[k] - max);
      sum += p[k];
    }
    for (int k = 0; k < z.length; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /**
   * How the classifier was fitted, for the job's report.
   *
   * @param calibrated whether scale and offsets were fitted on the examples (false when there
   *     were too few examples; probabilities then use a fixed scale and mean less)
   * @param examplePrior class balance of the examples, (labels)
   * @param dataPrior class balance estimated on the unlabelled sample, (labels); null if not
   *     estimated
   */
  public record FitReport(
      boolean calibrated,
      double scale,
      int examples,
      int sampleSize,
      int selfTrainingPrototypes,
      double[] examplePrior,
      double[] dataPrior)
      implements Serializable {}
}
