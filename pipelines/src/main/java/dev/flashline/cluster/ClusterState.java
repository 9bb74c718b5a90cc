package dev.flashline.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The state file of a running cluster ({@code cluster.properties} in its directory): where to
 * submit jobs and the pid of each of its processes, so that another JVM ({@code flashline cluster
 * stop}) can find and stop them.
 *
 * @param flinkMaster {@code host:port} of the REST endpoint, for {@code --flink-master}
 * @param pids process name ({@code jobmanager}, {@code tm-1}, ...) -> pid
 */
public record ClusterState(String flinkMaster, Map<String, Long> pids) {
  static final String FILE_NAME = "cluster.properties";
  private static final String PID_PREFIX = "pid.";

  public ClusterState {
    pids = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pids));
  }

  static Path file(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  /** The state file of the cluster in {@code dir}, if one was written and not removed. */
  public static Optional<ClusterState> read(Path dir) throws IOException {
    Path file = file(dir);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      p.load(reader);
    }
    Map<String, Long> pids = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith(PID_PREFIX)) {
        pids.put(key.substring(PID_PREFIX.length()), Long.parseLong(p.getProperty(key).strip()));
      }
    }
    return Optional.of(new ClusterState(p.getProperty("flink.master"), pids));
  }

  /** Writes the file aside and renames it, so a reader never sees half of it. */
  void write(Path dir) throws IOException {
    Properties p = new Properties();
    p.setProperty("flink.master", flinkMaster);
    pids.forEach((name, pid) -> p.setProperty(PID_PREFIX + name, String.valueOf(pid)));
    Path aside = Files.createTempFile(dir, "cluster", ".tmp");
    try (Writer writer = Files.newBufferedWriter(aside)) {
      p.store(writer, "flashline local Flink cluster; `flashline cluster stop --dir " + dir + "` stops it");
    }
    Files.move(aside, file(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void delete(Path dir) throws IOException {
    Files.deleteIfExists(file(dir));
  }

  /**
   * The live processes of this cluster: those whose pid still runs a JVM of this cluster (its
   * command line carries the cluster's directory), so a pid reused by another program is never
   * touched.
   */
  public Map<String, ProcessHandle> live(Path dir) {
    Map<String, ProcessHandle> live = new LinkedHashMap<>();
    String marker = "-D" + JavaProcessLauncher.MARKER_PROPERTY + "=" + dir.toAbsolutePath().normalize();
    pids.forEach((name, pid) ->
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(handle -> handle.info().commandLine().map(line -> line.contains(marker + " ")).orElse(false))
            .ifPresent(handle -> live.put(name, handle)));
    return live;
  }
}
