package dev.flashline.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Quality figures against the gold labels: accuracy, per-label precision/recall/F1, the confusion
 * matrix, and how well the confidence is calibrated.
 *
 * @param evaluated records judged: ok, with a gold label, not a few-shot example
 * @param excludedExamples records left out because their text is a few-shot example
 * @param excludedFailed records with a gold label that failed
 * @param expectedCalibrationError mean |confidence - accuracy| over confidence tenths, weighted by records
 */
public record Quality(
    String goldField,
    long evaluated,
    long excludedExamples,
    long excludedFailed,
    double accuracy,
    Map<String, LabelQuality> perLabel,
    Map<String, Map<String, Long>> confusionMatrix,
    double expectedCalibrationError,
    List<CalibrationBin> calibration) {

  public record LabelQuality(double precision, double recall, double f1, long support, long predicted) {}

  /** Records whose confidence fell in [from, to): how many, how many were right, mean confidence. */
  public record CalibrationBin(double from, double to, long records, double accuracy, double meanConfidence) {}

  public static Quality of(String goldField, JobTotals totals, List<String> labels) {
    TreeSet<String> all = new TreeSet<>(labels);
    all.addAll(totals.confusion.keySet());
    totals.confusion.values().forEach(row -> all.addAll(row.keySet()));
    long evaluated = 0;
    long correct = 0;
    Map<String, Long> predicted = new LinkedHashMap<>();
    for (var row : totals.confusion.entrySet()) {
      for (var cell : row.getValue().entrySet()) {
        evaluated += cell.getValue();
        predicted.merge(cell.getKey(), cell.getValue(), Long::sum);
        if (cell.getKey().equals(row.getKey())) {
          correct += cell.getValue();
        }
      }
    }
    Map<String, LabelQuality> perLabel = new LinkedHashMap<>();
    for (String label : all) {
      Map<String, Long> row = totals.confusion.getOrDefault(label, Map.of());
      long truePositives = row.getOrDefault(label, 0L);
      long support = row.values().stream().mapToLong(Long::longValue).sum();
      long predictedAs = predicted.getOrDefault(label, 0L);
      double precision = predictedAs == 0 ? 0 : (double) truePositives / predictedAs;
      double recall = support == 0 ? 0 : (double) truePositives / support;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      perLabel.put(label, new LabelQuality(precision, recall, f1, support, predictedAs));
    }
    List<CalibrationBin> bins = new java.util.ArrayList<>();
    double ece = 0;
    long judged = 0;
    for (int bin = 0; bin < JobTotals.CALIBRATION_BINS; bin++) {
      judged += totals.binCount[bin];
    }
    for (int bin = 0; bin < JobTotals.CALIBRATION_BINS; bin++) {
      long n = totals.binCount[bin];
      if (n == 0) {
        continue;
      }
      double accuracy = (double) totals.binCorrect[bin] / n;
      double confidence = totals.binConfidence[bin] / n;
      bins.add(new CalibrationBin(bin / 10.0, (bin + 1) / 10.0, n, accuracy, confidence));
      ece += (double) n / judged * Math.abs(accuracy - confidence);
    }
    return new Quality(
        goldField,
        evaluated,
        totals.goldExamples,
        totals.goldFailed,
        evaluated == 0 ? 0 : (double) correct / evaluated,
        perLabel,
        totals.confusion,
        ece,
        bins);
  }
}
