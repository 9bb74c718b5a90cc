package dev.flashline.cluster;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link LocalFlinkCluster} starts: one JobManager and {@code taskManagers} TaskManagers, each
 * a separate JVM, from the jars on {@code classpath}, with their configuration, logs, checkpoints
 * and scratch space under {@code dir}.
 *
 * @param dir the cluster's working directory (created if missing): {@code conf/}, {@code log/},
 *     {@code checkpoints/}, one {@code tm-N/} per TaskManager, and the state file
 * @param taskManagers TaskManagers to start; at least 1
 * @param slots task slots per TaskManager; at least 1
 * @param jobManagerMemory the JobManager's total process size, in Flink's syntax ({@code 1024m})
 * @param taskManagerMemory each TaskManager's total process size ({@code 1024m})
 * @param classpath the jars (or class folders) the cluster's JVMs run from: Flink's runtime must be
 *     on it; the shaded {@code flashline.jar} has it all
 * @param config extra {@code config.yaml} entries, written after (and so overriding) the defaults
 */
public record ClusterSpec(
    Path dir, int taskManagers, int slots, String jobManagerMemory, String taskManagerMemory, List<Path> classpath, Map<String, String> config) {
  public static final int DEFAULT_TASK_MANAGERS = 2;
  public static final int DEFAULT_SLOTS = 2;
  public static final String DEFAULT_MEMORY = "1024m";

  public ClusterSpec {
    Objects.requireNonNull(dir, "dir");
    dir = dir.toAbsolutePath().normalize();
    if (taskManagers < 1) {
      throw new IllegalArgumentException("a cluster needs at least 1 TaskManager, got " + taskManagers);
    }
    if (slots < 1) {
      throw new IllegalArgumentException("a TaskManager needs at least 1 slot, got " + slots);
    }
    jobManagerMemory = jobManagerMemory == null ? DEFAULT_MEMORY : jobManagerMemory;
    taskManagerMemory = taskManagerMemory == null ? DEFAULT_MEMORY : taskManagerMemory;
    classpath = classpath == null || classpath.isEmpty() ? currentClasspath() : List.copyOf(classpath);
    config = config == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
  }

  /** Two TaskManagers of two slots and 1 GB each, a 1 GB JobManager, run from this JVM's classpath. */
  public static ClusterSpec of(Path dir) {
    return new ClusterSpec(dir, DEFAULT_TASK_MANAGERS, DEFAULT_SLOTS, null, null, null, null);
  }

  public ClusterSpec withTaskManagers(int value) {
    return new ClusterSpec(dir, value, slots, jobManagerMemory, taskManagerMemory, classpath, config);
  }

  public ClusterSpec withSlots(int value) {
    return new ClusterSpec(dir, taskManagers, value, jobManagerMemory, taskManagerMemory, classpath, config);
  }

  public ClusterSpec withMemory(String jobManager, String taskManager) {
    return new ClusterSpec(dir, taskManagers, slots, jobManager, taskManager, classpath, config);
  }

  public ClusterSpec withClasspath(List<Path> value) {
    return new ClusterSpec(dir, taskManagers, slots, jobManagerMemory, taskManagerMemory, value, config);
  }

  /** Adds (or replaces) one {@code config.yaml} entry. */
  public ClusterSpec withConfig(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(config);
    more.put(key, value);
    return new ClusterSpec(dir, taskManagers, slots, jobManagerMemory, taskManagerMemory, classpath, more);
  }

  /** Total slots: the highest parallelism a job can have on this cluster. */
  public int totalSlots() {
    return taskManagers * slots;
  }

  /**
   * The classpath of this JVM: the shaded jar when run as {@code ./flashline} ({@code java -jar}),
   * Maven's test classpath under failsafe.
   */
  static List<Path> currentClasspath() {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(classpath.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
  }
}
