package dev.flashline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flashline.cluster.ClusterSpec;
import dev.flashline.cluster.ClusterState;
import dev.flashline.cluster.FlinkRest;
import dev.flashline.cluster.LocalFlinkCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flashline cluster start|stop|status}: a Flink session cluster on this machine, one
 * JobManager and N TaskManagers as separate processes, for trying {@code --runner flink
 * --flink-master} without a Flink installation.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "A Flink 1.19 session cluster on this machine: one JobManager and N TaskManagers, each its own JVM, run from"
          + " this jar. Submit jobs to it with --runner flink --flink-master localhost:PORT."
    },
    subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class})
final class ClusterCommand implements Callable<Integer> {
  /** Where the cluster keeps its configuration, logs, checkpoints and state file unless told otherwise. */
  static final String DEFAULT_DIR = ".flashline/cluster";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("flashline: cluster needs a subcommand: start, stop or status");
    spec.commandLine().usage(spec.commandLine().getErr());
    return Flashline.USAGE;
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start the cluster and return once every TaskManager is registered; it runs until `flashline cluster stop`.")
  static final class Start implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--taskmanagers", defaultValue = "2", paramLabel = "N", description = "TaskManagers (JVMs). Default: ${DEFAULT-VALUE}.")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "2", paramLabel = "N", description = "Task slots per TaskManager. Default: ${DEFAULT-VALUE}.")
    int slots;

    @Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR",
        description = "Configuration, logs, checkpoints and the pid file. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--taskmanager-memory", defaultValue = ClusterSpec.DEFAULT_MEMORY, paramLabel = "SIZE",
        description = "Total process size of each TaskManager (Flink syntax: 1024m, 2g). Default: ${DEFAULT-VALUE}.")
    String taskManagerMemory;

    @Option(names = "--jobmanager-memory", defaultValue = ClusterSpec.DEFAULT_MEMORY, paramLabel = "SIZE",
        description = "Total process size of the JobManager. Default: ${DEFAULT-VALUE}.")
    String jobManagerMemory;

    @Option(names = "--timeout", defaultValue = "180", paramLabel = "SECONDS",
        description = "How long to wait for the TaskManagers to register. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ClusterSpec cluster;
      try {
        cluster = ClusterSpec.of(dir).withTaskManagers(taskManagers).withSlots(slots).withMemory(jobManagerMemory, taskManagerMemory);
      } catch (IllegalArgumentException e) {
        err.println("flashline: " + e.getMessage());
        return Flashline.USAGE;
      }
      long started = System.nanoTime();
      LocalFlinkCluster running;
      try {
        running = LocalFlinkCluster.start(cluster, Duration.ofSeconds(timeoutSeconds));
      } catch (IllegalStateException | IllegalArgumentException e) {
        err.println("flashline: " + e.getMessage());
        return Flashline.FAILED;
      } catch (IOException | RuntimeException e) {
        err.println("flashline: the cluster did not start: " + e);
        return Flashline.FAILED;
      }
      running.detach();
      out.printf(Locale.ROOT, "flashline: Flink session cluster up in %.1f s: 1 JobManager, %d TaskManagers x %d slots (%d slots) in %s%n",
          (System.nanoTime() - started) / 1e9, taskManagers, slots, cluster.totalSlots(), cluster.dir());
      out.println("  submit with:  --runner flink --flink-master " + running.flinkMaster() + " --parallelism " + cluster.totalSlots());
      out.println("  REST API:     " + running.rest().base());
      out.println("  logs:         " + cluster.dir().resolve("log"));
      out.println("  pids:         " + cluster.dir().resolve("cluster.properties"));
      out.println("  stop with:    flashline cluster stop --dir " + cluster.dir());
      return 0;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the cluster started from DIR (TaskManagers first, then the JobManager).")
  static final class Stop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR", description = "The cluster's directory. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Override
    public Integer call() {
      try {
        List<String> stopped = LocalFlinkCluster.stop(dir, Duration.ofSeconds(15));
        spec.commandLine().getOut().println(stopped.isEmpty()
            ? "flashline: no cluster runs from " + dir.toAbsolutePath().normalize()
            : "flashline: stopped " + String.join(", ", stopped));
        return 0;
      } catch (IOException e) {
        spec.commandLine().getErr().println("flashline: cannot read the cluster's state in " + dir + ": " + e.getMessage());
        return Flashline.FAILED;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the cluster's processes, TaskManagers and jobs. Exit code 1 when none runs.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR", description = "The cluster's directory. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Path absolute = dir.toAbsolutePath().normalize();
      try {
        Optional<ClusterState> state = ClusterState.read(absolute);
        Map<String, ProcessHandle> live = state.map(s -> s.live(absolute)).orElse(Map.of());
        if (live.isEmpty()) {
          out.println("flashline: no cluster runs from " + absolute);
          return Flashline.FAILED;
        }
        out.println("flink master: " + state.get().flinkMaster());
        live.forEach((name, handle) -> out.println("  " + name + "  pid " + handle.pid()));
        FlinkRest rest = FlinkRest.of(state.get().flinkMaster());
        out.println("registered TaskManagers: " + rest.taskManagers());
        for (JsonNode job : rest.jobs().values()) {
          out.println("  job " + job.path("jid").asText() + "  " + job.path("name").asText() + "  " + job.path("state").asText());
        }
        return 0;
      } catch (IOException e) {
        out.println("flashline: the cluster's JobManager does not answer: " + e.getMessage());
        return Flashline.FAILED;
      }
    }
  }
}
