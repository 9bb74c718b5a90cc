package dev.flashline.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Flink 1.19 session cluster on this machine, as separate processes: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each
 * its own JVM, started from Maven's jars (or the shaded {@code flashline.jar}, which holds them) the
 * way Flink's start scripts start them from a Flink distribution: a {@code conf/config.yaml}
 * ({@link FlinkConfigFile}), memory flags computed by Flink's own code ({@link FlinkMemoryFlags}),
 * one JVM per process ({@link JavaProcessLauncher}), logs in {@code log/}.
 *
 * <p>Jobs are submitted to {@link #flinkMaster()} ({@code --runner flink --flink-master
 * localhost:PORT}). A TaskManager can be killed ({@code SIGKILL}) and a replacement started, to
 * test recovery. {@link #close()} stops everything; so does the end of this JVM, unless {@link
 * #detach()} lets the cluster outlive it ({@code flashline cluster start}), after which {@link
 * #stop(Path, Duration)} stops it from any JVM.
 */
public final class LocalFlinkCluster implements AutoCloseable {
  public static final String JOB_MANAGER = "jobmanager";
  static final String ENTRYPOINT = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final ClusterSpec spec;
  private final FlinkConfigFile.Ports ports;
  private final Path conf;
  private final JavaProcessLauncher launcher;
  private final FlinkMemoryFlags taskManagerFlags;
  private final FlinkRest rest;
  /** Process name -> process; the JobManager first. */
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Thread stopOnExit = new Thread(this::stopQuietly, "flashline-cluster-stop");
  private int taskManagersStarted;
  private boolean stopped;

  private LocalFlinkCluster(ClusterSpec spec, FlinkConfigFile.Ports ports, Path conf) {
    this.spec = spec;
    this.ports = ports;
    this.conf = conf;
    this.launcher = new JavaProcessLauncher(spec.dir(), spec.classpath());
    this.taskManagerFlags = FlinkMemoryFlags.taskManager(conf);
    this.rest = FlinkRest.of(FlinkConfigFile.HOST + ":" + ports.rest());
  }

  /**
   * Starts the JobManager and the spec's TaskManagers, and returns once all of them are registered.
   *
   * @throws IllegalStateException when a cluster started from the same directory still runs, or the
   *     cluster does not come up within {@code timeout} (its processes are stopped again; the message
   *     quotes the end of the log that explains it)
   */
  public static LocalFlinkCluster start(ClusterSpec spec, Duration timeout) throws IOException {
    Files.createDirectories(spec.dir());
    Optional<ClusterState> previous = ClusterState.read(spec.dir());
    if (previous.isPresent() && !previous.get().live(spec.dir()).isEmpty()) {
      throw new IllegalStateException(
          "a cluster started from " + spec.dir() + " is still running (" + previous.get().flinkMaster() + "); stop it first");
    }
    FlinkConfigFile.Ports ports = FlinkConfigFile.Ports.pick();
    Path conf = FlinkConfigFile.write(spec, ports);
    LocalFlinkCluster cluster = new LocalFlinkCluster(spec, ports, conf);
    Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
    try {
      cluster.startProcess(JOB_MANAGER, ENTRYPOINT, FlinkMemoryFlags.jobManager(conf), List.of());
      List<String> taskManagers = new ArrayList<>();
      for (int i = 0; i < spec.taskManagers(); i++) {
        taskManagers.add(cluster.startTaskManager());
      }
      cluster.awaitRegistered(taskManagers, timeout);
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code localhost:PORT}: what {@code --flink-master} takes. */
  public String flinkMaster() {
    return FlinkConfigFile.HOST + ":" + ports.rest();
  }

  public FlinkRest rest() {
    return rest;
  }

  public ClusterSpec spec() {
    return spec;
  }

  public Path dir() {
    return spec.dir();
  }

  /** The log of a process of this cluster ({@code jobmanager}, {@code tm-1}, ...): its standard output and error. */
  public Path log(String process) {
    return launcher.logFile(process);
  }

  /** The TaskManagers whose processes run, in the order they were started. */
  public synchronized List<String> taskManagers() {
    return processes.entrySet().stream()
        .filter(e -> !e.getKey().equals(JOB_MANAGER) && e.getValue().isAlive())
        .map(Map.Entry::getKey)
        .toList();
  }

  /** The pid of a running process of this cluster. */
  public synchronized long pid(String process) {
    Process p = processes.get(process);
    if (p == null) {
      throw new IllegalArgumentException("no process " + process + " in this cluster (" + processes.keySet() + ")");
    }
    return p.pid();
  }

  /**
   * Starts one more TaskManager ({@code tm-N}, numbered on from the last one started), with its
   * own scratch directory; returns its id. It registers with the JobManager on its own: see
   * {@link #awaitRegistered}.
   */
  public synchronized String startTaskManager() throws IOException {
    String id = "tm-" + (++taskManagersStarted);
    Path tmp = Files.createDirectories(spec.dir().resolve(id).resolve("tmp"));
    List<String> args = List.of("-D", "taskmanager.resource-id=" + id, "-D", "io.tmp.dirs=" + tmp);
    startProcess(id, TASK_MANAGER, taskManagerFlags, args);
    return id;
  }

  /**
   * Kills a TaskManager the hard way ({@code SIGKILL}: no shutdown, no goodbye to the
   * JobManager), as a crashed machine would; returns once the process is gone.
   */
  public void killTaskManager(String id) throws IOException {
    Process process;
    synchronized (this) {
      process = processes.get(id);
      if (process == null || id.equals(JOB_MANAGER)) {
        throw new IllegalArgumentException("no TaskManager " + id + " in this cluster (" + processes.keySet() + ")");
      }
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IOException("TaskManager " + id + " (pid " + process.pid() + ") did not die within 30 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while killing " + id, e);
    }
    synchronized (this) {
      writeState();
    }
  }

  /**
   * Waits until the JobManager lists every one of {@code taskManagers} as registered.
   *
   * @throws IllegalStateException when one of the cluster's processes exits meanwhile, or at the timeout
   */
  public void awaitRegistered(Collection<String> taskManagers, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> registered = List.of();
    while (System.nanoTime() < deadline) {
      checkAlive(taskManagers);
      try {
        registered = rest.taskManagers();
        if (registered.containsAll(taskManagers)) {
          return;
        }
      } catch (IOException e) {
        // The JobManager's REST endpoint is not up yet.
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "the Flink cluster in " + spec.dir() + " did not register TaskManagers " + taskManagers + " within " + timeout
            + " (registered: " + registered + ")" + tail(JOB_MANAGER));
  }

  /** Waits until the JobManager no longer lists {@code taskManager} (it noticed its loss). */
  public void awaitDeregistered(String taskManager, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (!rest.taskManagers().contains(taskManager)) {
          return;
        }
      } catch (IOException e) {
        // Asked again below.
      }
      sleep(200);
    }
    throw new IllegalStateException("the JobManager still lists " + taskManager + " after " + timeout);
  }

  /**
   * Lets the cluster outlive this JVM: it keeps running until {@link #stop(Path, Duration)} (or
   * {@code flashline cluster stop}) stops it.
   */
  public void detach() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs and stops the cluster.
    }
  }

  /** Stops the TaskManagers, then the JobManager: each gets a SIGTERM and 15 s to exit, then a SIGKILL. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException e) {
      // Called from the hook itself, or while the JVM shuts down.
    }
    stopQuietly();
  }

  /**
   * Stops the cluster started from {@code dir} (by this or another JVM) as {@link #close()} does,
   * using its state file; returns the names of the processes it stopped (none when nothing ran).
   */
  public static List<String> stop(Path dir, Duration grace) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Optional<ClusterState> state = ClusterState.read(absolute);
    if (state.isEmpty()) {
      return List.of();
    }
    Map<String, ProcessHandle> live = new LinkedHashMap<>(state.get().live(absolute));
    // TaskManagers first: a JobManager that goes first makes them retry and log for nothing.
    ProcessHandle jobManager = live.remove(JOB_MANAGER);
    List<String> stopped = new ArrayList<>(terminate(live, grace));
    if (jobManager != null) {
      stopped.addAll(terminate(Map.of(JOB_MANAGER, jobManager), grace));
    }
    ClusterState.delete(absolute);
    return stopped;
  }

  private synchronized void stopQuietly() {
    if (stopped) {
      return;
    }
    stopped = true;
    Map<String, ProcessHandle> taskManagers = new LinkedHashMap<>();
    ProcessHandle jobManager = null;
    for (Map.Entry<String, Process> entry : processes.entrySet()) {
      if (entry.getKey().equals(JOB_MANAGER)) {
        jobManager = entry.getValue().toHandle();
      } else {
        taskManagers.put(entry.getKey(), entry.getValue().toHandle());
      }
    }
    terminate(taskManagers, STOP_GRACE);
    if (jobManager != null) {
      terminate(Map.of(JOB_MANAGER, jobManager), STOP_GRACE);
    }
    try {
      ClusterState.delete(spec.dir());
    } catch (IOException e) {
      // A stale state file names pids that no longer run this cluster; the next start ignores it.
    }
  }

  /** SIGTERM to all, then SIGKILL to whatever has not exited after {@code grace}; the names of those that ran. */
  private static List<String> terminate(Map<String, ProcessHandle> processes, Duration grace) {
    List<String> ran = new ArrayList<>();
    processes.forEach((name, handle) -> {
      if (handle.isAlive()) {
        ran.add(name);
        handle.destroy();
      }
    });
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : processes.values()) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
    return ran;
  }

  private synchronized void startProcess(String name, String mainClass, FlinkMemoryFlags memory, List<String> extraArgs)
      throws IOException {
    if (stopped) {
      throw new IllegalStateException("the cluster in " + spec.dir() + " is stopped");
    }
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(extraArgs);
    processes.put(name, launcher.start(name, mainClass, memory, args));
    writeState();
  }

  private void writeState() throws IOException {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((name, process) -> {
      if (process.isAlive()) {
        pids.put(name, process.pid());
      }
    });
    new ClusterState(flinkMaster(), pids).write(spec.dir());
  }

  /** Fails fast, with the log's explanation, when a process the caller waits for has died. */
  private synchronized void checkAlive(Collection<String> taskManagers) {
    List<String> wanted = new ArrayList<>(taskManagers);
    wanted.add(JOB_MANAGER);
    for (String name : wanted) {
      Process process = processes.get(name);
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(
            "the cluster's " + name + " exited with code " + process.exitValue() + " (log: " + log(name) + ")" + tail(name));
      }
    }
  }

  /** The last lines of a process's log, for error messages. */
  private String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(log(name), StandardCharsets.UTF_8);
      return System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Flink cluster", e);
    }
  }
}
