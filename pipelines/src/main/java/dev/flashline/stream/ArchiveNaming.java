package dev.flashline.stream;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * Names archive files after their window, {@code labels-20261128T201500Z-20261128T201600Z-P-SSSSS-of-NNNNN.parquet}:
 * sortable, and without the colons of ISO times, which Hadoop's paths (and so most Parquet
 * tools) cannot read.
 */
final class ArchiveNaming implements FileIO.Write.FileNaming {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String getFilename(BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
    String span =
        window instanceof IntervalWindow interval
            ? time(interval.start().getMillis()) + "-" + time(interval.end().getMillis())
            : "global";
    return String.format(java.util.Locale.ROOT, "labels-%s-%d-%05d-of-%05d.parquet", span, pane.getIndex(), shardIndex, numShards);
  }

  private static String time(long millis) {
    return TIME.format(Instant.ofEpochMilli(millis));
  }
}
