package dev.flashline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.report.CostReport;
import dev.flashline.report.Quality;
import dev.flashline.schema.LabelledRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job on the whole bundled sample: the quality bar the local backend is held to
 * (spam precision and recall at least 0.9 on records not used as examples) and a confidence that
 * means something (confident answers are right more often).
 */
class SmsSampleQualityIT {
  @TempDir Path temp;

  @Test
  void spamPrecisionAndRecallAreAtLeast090AndConfidenceIsCalibrated() throws Exception {
    Path output = temp.resolve("out");
    CostReport report =
        LabelJob.run(
            new LabelRequest(Samples.job(), Samples.PARQUET, output, RunnerChoice.DIRECT, 2, null, false),
            new PrintWriter(new StringWriter()));

    Quality quality = report.quality();
    assertThat(quality.evaluated()).isGreaterThan(5000);
    assertThat(quality.perLabel().get("spam").precision()).isGreaterThanOrEqualTo(0.9);
    assertThat(quality.perLabel().get("spam").recall()).isGreaterThanOrEqualTo(0.9);
    assertThat(quality.accuracy()).isGreaterThanOrEqualTo(0.95);
    assertThat(quality.expectedCalibrationError()).isLessThan(0.05);

    Map<String, LabelledRecord> rows = Outputs.labels(output);
    double confidentAccuracy = accuracy(rows, 0.9, 1.01);
    double unsureAccuracy = accuracy(rows, 0.0, 0.9);
    assertThat(confidentAccuracy).isGreaterThan(unsureAccuracy + 0.1);
  }

  private static double accuracy(Map<String, LabelledRecord> rows, double from, double to) {
    long n = 0;
    long right = 0;
    for (LabelledRecord row : rows.values()) {
      if (row.getIsExample() || row.getConfidence() == null || row.getConfidence() < from || row.getConfidence() >= to) {
        continue;
      }
      n++;
      if (row.getLabel().equals(row.getGoldLabel())) {
        right++;
      }
    }
    assertThat(n).as("records with confidence in [%s, %s)", from, to).isGreaterThan(20);
    return (double) right / n;
  }
}
