package dev.flashline.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the cluster's {@code conf/config.yaml}: the file Flink 1.19 reads with its standard YAML
 * parser (it falls back to the legacy {@code flink-conf.yaml} only when that one exists, and this
 * writes none). Every process of the cluster reads the same file; what differs per TaskManager
 * (its id and scratch directory) is passed on its command line as {@code -D key=value}.
 */
final class FlinkConfigFile {
  static final String FILE_NAME = "config.yaml";
  static final String HOST = "localhost";

  /** The JobManager's ports: RPC (TaskManagers register there), REST (jobs are submitted there), blob server. */
  record Ports(int rpc, int rest, int blob) {
    static Ports pick() {
      var ports = FreePorts.pick(3);
      return new Ports(ports.get(0), ports.get(1), ports.get(2));
    }
  }

  private FlinkConfigFile() {}

  /** Writes {@code conf/config.yaml} under the spec's directory; returns the {@code conf} directory. */
  static Path write(ClusterSpec spec, Ports ports) throws IOException {
    Path conf = Files.createDirectories(spec.dir().resolve("conf"));
    // Flink resolves its scratch directories to real paths at start: they must exist.
    Files.createDirectories(jobManagerDir(spec).resolve("tmp"));
    Files.createDirectories(jobManagerDir(spec).resolve("web"));
    StringBuilder yaml = new StringBuilder("# Written by flashline (dev.flashline.cluster.LocalFlinkCluster); rewritten on every start.\n");
    entries(spec, ports).forEach((key, value) -> yaml.append(key).append(": ").append(quote(value)).append('\n'));
    Files.writeString(conf.resolve(FILE_NAME), yaml);
    return conf;
  }

  static Map<String, String> entries(ClusterSpec spec, Ports ports) {
    Map<String, String> c = new LinkedHashMap<>();
    // Everything on the loopback interface: nothing of this cluster is reachable from outside.
    c.put("jobmanager.rpc.address", HOST);
    c.put("jobmanager.bind-host", HOST);
    c.put("jobmanager.rpc.port", String.valueOf(ports.rpc()));
    c.put("rest.address", HOST);
    c.put("rest.bind-address", HOST);
    c.put("rest.port", String.valueOf(ports.rest()));
    c.put("blob.server.port", String.valueOf(ports.blob()));
    c.put("taskmanager.host", HOST);
    c.put("taskmanager.bind-host", HOST);

    c.put("jobmanager.memory.process.size", spec.jobManagerMemory());
    c.put("jobmanager.memory.jvm-overhead.min", "128m");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(spec.slots()));
    c.put("taskmanager.memory.process.size", spec.taskManagerMemory());
    c.put("taskmanager.memory.jvm-overhead.min", "128m");
    // Batch shuffles read through a pool taken from the framework's off-heap memory (64m by default).
    c.put("taskmanager.memory.framework.off-heap.size", "96m");
    c.put("taskmanager.memory.framework.off-heap.batch-shuffle.size", "32m");
    // Small TaskManagers run Beam jobs out of network buffers at the default fraction (FACTS.md).
    c.put("taskmanager.memory.network.min", "128m");
    c.put("taskmanager.memory.network.max", "128m");
    c.put("taskmanager.network.sort-shuffle.min-buffers", "128");
    // Managed memory only sorts batch groupings here; the model's weights live outside Flink's budget.
    c.put("taskmanager.memory.managed.size", "96m");
    // A job of parallelism N on TaskManagers of several slots takes one slot on each before a second on any.
    c.put("cluster.evenly-spread-out-slots", "true");

    // A TaskManager that dies is noticed within seconds (the default timeout is 50 s).
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "15000");
    c.put("state.checkpoints.dir", spec.dir().resolve("checkpoints").toUri().toString());
    c.putAll(FlinkJobSettings.config());
    c.put("io.tmp.dirs", jobManagerDir(spec).resolve("tmp").toString());
    c.put("web.tmpdir", jobManagerDir(spec).resolve("web").toString());
    c.putAll(spec.config());
    return c;
  }

  private static Path jobManagerDir(ClusterSpec spec) {
    return spec.dir().resolve("jobmanager");
  }

  /** A YAML single-quoted scalar: nothing inside is interpreted but the doubled quote. */
  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
