package dev.flashline.cli;

import java.util.Arrays;

/**
 * The entry class a Flink cluster runs in application mode (the Flink Kubernetes Operator's
 * {@code FlinkDeployment}, {@code job.entryClass}; see deploy/ and docs/deploy.md): the same
 * commands and options as {@link Flashline}, with {@code --runner flink --flink-master [auto]} so
 * Beam submits to the cluster the program runs in.
 *
 * <p>{@link Flashline#main} ends with {@code System.exit}, which inside a JobManager would take the
 * JobManager down with it before Flink has recorded how the application ended. This entry returns
 * instead, and turns a non-zero exit code into an exception, so Flink (and the operator) see a
 * failed application as failed.
 */
public final class FlinkApplication {
  private FlinkApplication() {}

  public static void main(String[] args) {
    int code = Flashline.execute(args);
    if (code != 0) {
      String command = args.length == 0 ? "" : " " + args[0];
      throw new IllegalStateException(
          "flashline" + command + " ended with exit code " + code + " (the reason is in the log above); arguments: "
              + Arrays.toString(args));
    }
  }
}
