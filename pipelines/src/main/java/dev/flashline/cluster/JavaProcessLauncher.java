package dev.flashline.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Starts one of the cluster's JVMs as a child process: {@code java}, the memory flags, the
 * {@code --add-opens} Flink needs on Java 17, logging settings, the classpath, the main class and
 * its arguments. Standard output and error go to one log file; the process does not depend on
 * this JVM and keeps running after it exits unless stopped.
 */
final class JavaProcessLauncher {
  /** Marks every process of a cluster on its command line, so a stop never kills an unrelated process that reused a pid. */
  static final String MARKER_PROPERTY = "flashline.cluster";

  /** The opens Flink's own scripts add on Java 17 (and the {@code flashline} launcher adds). */
  static final List<String> JAVA17_OPENS =
      List.of(
          "java.lang", "java.util", "java.lang.reflect", "java.io", "java.net", "java.nio", "sun.nio.ch", "java.text", "java.time",
          "java.util.concurrent", "java.util.concurrent.atomic", "java.math")
          .stream()
          .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
          .toList();

  /**
   * Logging of the cluster's JVMs (slf4j-simple, as in the shaded jar): Flink at INFO so the logs
   * show registrations, deployments, failures and restores; Flashline's shared-model bookkeeping ({@code SharedPool}) at
   * DEBUG, which says each time a JVM loads a model (the cluster test counts those lines).
   */
  static final List<String> LOGGING =
      List.of(
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
          "-Dorg.slf4j.simpleLogger.showDateTime=true",
          "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
          "-Dorg.slf4j.simpleLogger.showThreadName=true",
          "-Dorg.slf4j.simpleLogger.log.dev.flashline.backend.SharedPool=debug",
          "-Dorg.slf4j.simpleLogger.log.dev.flashline.backend.openai.ChatClients=debug",
          "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn",
          "-Dorg.slf4j.simpleLogger.log.org.apache.beam.sdk.io.kafka=warn",
          "-Dorg.slf4j.simpleLogger.log.org.apache.hadoop=warn",
          "-Dorg.slf4j.simpleLogger.log.org.apache.flink.runtime.metrics=error",
          "-Dorg.slf4j.simpleLogger.log.ai.djl=error");

  private static final Path NOHUP = Path.of("/usr/bin/nohup");

  private final Path clusterDir;
  private final List<Path> classpath;

  JavaProcessLauncher(Path clusterDir, List<Path> classpath) {
    this.clusterDir = clusterDir;
    this.classpath = List.copyOf(classpath);
  }

  /**
   * @param name the process's name in the cluster ({@code jobmanager}, {@code tm-1}): names its log file
   * @param memory the Flink memory flags: JVM flags before the main class, dynamic arguments after it
   * @param args the main class's arguments, before the dynamic ones
   */
  Process start(String name, String mainClass, FlinkMemoryFlags memory, List<String> args) throws IOException {
    Path log = logFile(name);
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    // As Flink's scripts do: a cluster started from a terminal must survive the terminal closing.
    // nohup execs java, so the child's pid is the JVM's.
    if (Files.isExecutable(NOHUP)) {
      command.add(NOHUP.toString());
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // First, so that it is in the part of the command line the OS always shows.
    command.add("-D" + MARKER_PROPERTY + "=" + clusterDir);
    command.add("-D" + MARKER_PROPERTY + ".process=" + name);
    command.addAll(memory.jvm());
    command.addAll(JAVA17_OPENS);
    command.addAll(FlinkJobSettings.jvmOptions());
    command.addAll(LOGGING);
    // Flink's REST API serves the file named here as the process's log (GET /taskmanagers/ID/log).
    command.add("-Dlog.file=" + log);
    // With 2 cores the common pool would have one thread; the HTTP client hands responses to it.
    command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + Math.max(2, Runtime.getRuntime().availableProcessors() - 1));
    command.add("-classpath");
    command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    command.add(mainClass);
    command.addAll(args);
    command.addAll(memory.dynamic());

    ProcessBuilder builder = new ProcessBuilder(command).directory(clusterDir.toFile()).redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The local model must not phone home (DJL) from a worker either.
    builder.environment().put("DJL_OFFLINE", "true");
    builder.environment().put("OPT_OUT_TRACKING", "true");
    Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Process process = builder.start();
    // Nothing is ever written to its standard input.
    process.getOutputStream().close();
    return process;
  }

  Path logFile(String name) {
    return clusterDir.resolve("log").resolve(name + ".log");
  }
}
