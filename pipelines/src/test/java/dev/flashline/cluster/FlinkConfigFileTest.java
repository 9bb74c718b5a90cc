package dev.flashline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's configuration as Flink itself reads it back, and the memory flags Flink's code derives from it. */
class FlinkConfigFileTest {
  @TempDir Path temp;

  @Test
  void flinkReadsTheWrittenConfigYamlBack() throws Exception {
    ClusterSpec spec = ClusterSpec.of(temp.resolve("c")).withSlots(3).withConfig("pipeline.name", "it's quoted: yes");
    Path conf = FlinkConfigFile.write(spec, new FlinkConfigFile.Ports(6123, 8081, 6124));

    assertThat(conf.resolve("config.yaml")).exists();
    assertThat(conf.resolve("flink-conf.yaml")).doesNotExist();
    Configuration read = GlobalConfiguration.loadConfiguration(conf.toString());
    assertThat(read.getString("rest.port", null)).isEqualTo("8081");
    assertThat(read.getString("jobmanager.rpc.port", null)).isEqualTo("6123");
    assertThat(read.getString("taskmanager.numberOfTaskSlots", null)).isEqualTo("3");
    assertThat(read.getString("state.checkpoints.dir", null)).isEqualTo(spec.dir().resolve("checkpoints").toUri().toString());
    assertThat(read.getString("pipeline.name", null)).isEqualTo("it's quoted: yes");
    // Flink resolves its scratch directories at start: they exist before it does.
    assertThat(spec.dir().resolve("jobmanager").resolve("tmp")).isDirectory();
  }

  @Test
  void memoryFlagsStayWithinTheConfiguredProcessSize() throws Exception {
    ClusterSpec spec = ClusterSpec.of(temp.resolve("c")).withMemory("768m", "1024m");
    Path conf = FlinkConfigFile.write(spec, new FlinkConfigFile.Ports(1, 2, 3));

    FlinkMemoryFlags tm = FlinkMemoryFlags.taskManager(conf);
    assertThat(tm.jvm()).anySatisfy(flag -> assertThat(flag).startsWith("-XX:MaxDirectMemorySize="))
        .anySatisfy(flag -> assertThat(flag).startsWith("-XX:MaxMetaspaceSize="));
    assertThat(tm.maxHeapBytes()).isBetween(256L << 20, 1024L << 20);
    // The dynamic arguments come in pairs: -D key=value, for TaskManagerRunner's command line.
    assertThat(tm.dynamic()).isNotEmpty().contains("-D");
    assertThat(tm.dynamic()).anySatisfy(arg -> assertThat(arg).startsWith("taskmanager.memory.network.min=134217728"));

    FlinkMemoryFlags jm = FlinkMemoryFlags.jobManager(conf);
    assertThat(jm.maxHeapBytes()).isPositive().isLessThan(768L << 20);
  }

  @Test
  void aSpecNeedsATaskManagerAndASlot() {
    assertThatThrownBy(() -> ClusterSpec.of(temp).withTaskManagers(0)).hasMessageContaining("at least 1 TaskManager");
    assertThatThrownBy(() -> ClusterSpec.of(temp).withSlots(0)).hasMessageContaining("at least 1 slot");
    assertThat(ClusterSpec.of(temp).withTaskManagers(3).withSlots(2).totalSlots()).isEqualTo(6);
    assertThat(ClusterSpec.of(temp).withClasspath(List.of(Path.of("a.jar"))).classpath()).containsExactly(Path.of("a.jar"));
  }

  @Test
  void theStateFileFindsOnlyProcessesOfThisCluster() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("c"));
    long self = ProcessHandle.current().pid();
    new ClusterState("localhost:8081", java.util.Map.of("jobmanager", self)).write(dir);

    ClusterState read = ClusterState.read(dir).orElseThrow();
    assertThat(read.flinkMaster()).isEqualTo("localhost:8081");
    assertThat(read.pids()).containsEntry("jobmanager", self);
    // This test's JVM is alive but is no process of that cluster: a stop must not touch it.
    assertThat(read.live(dir)).isEmpty();
    assertThat(LocalFlinkCluster.stop(dir, java.time.Duration.ofSeconds(1))).isEmpty();
    assertThat(ClusterState.read(dir)).isEmpty();
  }
}
