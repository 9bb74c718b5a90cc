package dev.flashline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code flashline} command line run the way users run it: {@code java -jar flashline.jar ...}
 * in its own JVM, from the shaded jar that is also the job jar a Flink cluster receives. Its
 * standard output and error go to a file the test reads.
 */
final class FlashlineProcess implements AutoCloseable {
  /** Built by the shade step just before the integration tests ({@code mvn verify}), or by {@code mvn -Pdist package}. */
  static final Path JAR = Path.of("target", "flashline.jar").toAbsolutePath();

  private final Process process;
  private final Path output;

  private FlashlineProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** The shaded jar, checked to exist and to be newer than the compiled classes it is made of. */
  static Path jar() {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR + " is missing: `mvn verify` builds it before the integration tests"
          + " (unless -DskipITs), `mvn -Pdist -DskipTests package` builds it alone");
    }
    try (Stream<Path> classes = Files.walk(Path.of("target", "classes"))) {
      long jarTime = Files.getLastModifiedTime(JAR).toMillis();
      Path newer = classes.filter(Files::isRegularFile).filter(p -> modified(p) > jarTime).findFirst().orElse(null);
      if (newer != null) {
        throw new AssertionError(JAR + " is older than " + newer + ": rebuild it (`mvn -Pdist -DskipTests package`)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return JAR;
  }

  /** Starts {@code flashline ARGS}; output and errors go to {@code output}. */
  static FlashlineProcess start(Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The launcher is small: the work runs on the cluster.
    command.add("-Xmx768m");
    command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
    command.addAll(JavaProcessLauncher.JAVA17_OPENS);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(output.toFile());
    builder.environment().put("DJL_OFFLINE", "true");
    builder.environment().put("OPT_OUT_TRACKING", "true");
    Process process = builder.start();
    process.getOutputStream().close();
    return new FlashlineProcess(process, output);
  }

  /** Runs {@code flashline ARGS} to its end; its exit code. */
  static int run(Path output, Duration timeout, String... args) throws IOException, InterruptedException {
    try (FlashlineProcess process = start(output, args)) {
      return process.waitFor(timeout);
    }
  }

  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("flashline did not finish within " + timeout + "; its output:\n" + output());
    }
    return process.exitValue();
  }

  /** What it printed so far. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + output + ": " + e + ")";
    }
  }

  /** Ctrl-C: SIGTERM, on which a stream stops its job and exits. */
  void interrupt() {
    process.destroy();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /**
   * Copies a cluster's logs (and the given command outputs) under {@code target/cluster-logs/NAME},
   * where they outlive the test's temporary directory: what to read when a cluster test fails.
   */
  static void keepLogs(String name, Path clusterDir, Path... outputs) {
    Path target = Path.of("target", "cluster-logs", name);
    try {
      Files.createDirectories(target);
      try (Stream<Path> logs = Files.list(clusterDir.resolve("log"))) {
        for (Path log : logs.toList()) {
          Files.copy(log, target.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      for (Path output : outputs) {
        if (Files.exists(output)) {
          Files.copy(output, target.resolve(output.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.err.println("could not keep the cluster's logs: " + e);
    }
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
