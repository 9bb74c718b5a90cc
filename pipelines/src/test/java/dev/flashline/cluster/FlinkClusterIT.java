package dev.flashline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.cli.Flashline;
import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file job on a real Flink cluster of separate processes (one JobManager, two TaskManagers of
 * two slots each, started from the shaded jar by {@link LocalFlinkCluster}), submitted the way a
 * user submits it: {@code java -jar flashline.jar label ... --runner flink --flink-master
 * localhost:PORT}. It must give the rows DirectRunner gives, run on both TaskManagers, and load the
 * local model once per TaskManager JVM however many slots and steps there use it; a second job on
 * the same TaskManagers must run too (each job has its own class loader there, native libraries
 * load once per JVM).
 */
class FlinkClusterIT {
  private static final int RECORDS = 200;
  /** Every slot of the cluster: two per TaskManager, so sharing across slots in one JVM is tested too. */
  private static final int PARALLELISM = 4;

  @TempDir Path temp;

  /** Per TaskManager, how often its JVM loaded the local model (its log says so at each load). */
  private static Map<String, Long> loads(LocalFlinkCluster cluster) throws IOException {
    Map<String, Long> loads = new TreeMap<>();
    for (String tm : List.of("tm-1", "tm-2")) {
      loads.put(tm, Files.readAllLines(cluster.log(tm)).stream().filter(line -> line.contains(SharedEncoder.LOADED)).count());
    }
    return loads;
  }

  @Test
  void theFileJobRunsOnBothTaskManagersLoadsTheModelOncePerJvmAndGivesDirectRunnersRows() throws Exception {
    Path jar = FlashlineProcess.jar();
    Path input = Samples.head(Files.createDirectories(temp.resolve("in")), RECORDS);
    Path onCluster = temp.resolve("cluster-out");
    ClusterSpec spec = ClusterSpec.of(temp.resolve("cluster")).withTaskManagers(2).withSlots(2).withClasspath(List.of(jar));

    String jobId;
    Map<String, List<String>> where;
    Map<String, Long> loads = new TreeMap<>();
    try (LocalFlinkCluster cluster = LocalFlinkCluster.start(spec, Duration.ofMinutes(3))) {
      try {
        assertThat(cluster.rest().taskManagers()).containsExactlyInAnyOrder("tm-1", "tm-2");
        Path log = temp.resolve("label-cluster.log");
        int code = FlashlineProcess.run(log, Duration.ofMinutes(6),
            "label", "--job", Samples.JOB.toAbsolutePath().toString(), "--input", input.toString(), "--output", onCluster.toString(),
            "--runner", "flink", "--flink-master", cluster.flinkMaster(), "--parallelism", String.valueOf(PARALLELISM));
        String printed = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        // Progress on a cluster comes from its JobManager: the launcher's JVM counts nothing.
        assertThat(printed).contains("records   " + RECORDS, "on flink");

        jobId = cluster.rest().newestJob("sms-spam", 0).orElseThrow();
        assertThat(cluster.rest().job(jobId).path("state").asText()).isEqualTo("FINISHED");
        where = cluster.rest().subtaskTaskManagers(jobId);
        loads.putAll(loads(cluster));

        // A second job on the same TaskManagers: its own class loader there, the same native libraries.
        Path again = temp.resolve("label-again.log");
        int second = FlashlineProcess.run(again, Duration.ofMinutes(4),
            "label", "--job", Samples.JOB.toAbsolutePath().toString(), "--input", Samples.head(temp, 20).toString(),
            "--output", temp.resolve("again-out").toString(), "--runner", "flink", "--flink-master", cluster.flinkMaster(),
            "--parallelism", String.valueOf(PARALLELISM), "--no-progress");
        assertThat(second).as(Files.readString(again, StandardCharsets.UTF_8)).isZero();
        assertThat(loads(cluster)).as("local model loads per TaskManager after two jobs").isEqualTo(Map.of("tm-1", 2L, "tm-2", 2L));

        // What `flashline cluster start` and `stop` rely on: the state file finds and stops a detached cluster.
        cluster.detach();
        long jobManager = cluster.pid(LocalFlinkCluster.JOB_MANAGER);
        assertThat(ClusterState.read(spec.dir()).orElseThrow().flinkMaster()).isEqualTo(cluster.flinkMaster());
        assertThatThrownBy(() -> LocalFlinkCluster.start(spec, Duration.ofSeconds(30))).hasMessageContaining("still running");
        assertThat(LocalFlinkCluster.stop(spec.dir(), Duration.ofSeconds(20)))
            .containsExactlyInAnyOrder("tm-1", "tm-2", LocalFlinkCluster.JOB_MANAGER);
        assertThat(ProcessHandle.of(jobManager).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ClusterState.read(spec.dir())).isEmpty();
      } finally {
        FlashlineProcess.keepLogs("FlinkClusterIT", spec.dir(), temp.resolve("label-cluster.log"), temp.resolve("label-again.log"));
      }
    }

    // Both TaskManagers ran the job: every step that embeds records ran two subtasks on each.
    List<String> embed = where.entrySet().stream().filter(e -> e.getKey().contains("Label/Embed")).findFirst().orElseThrow().getValue();
    assertThat(embed).hasSize(PARALLELISM);
    assertThat(embed.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
        .as("Embed subtasks per TaskManager").isEqualTo(Map.of("tm-1", 2L, "tm-2", 2L));
    // One load per TaskManager JVM: two slots, and the embedding and fitting steps after one another, share it.
    assertThat(loads).as("local model loads per TaskManager log").isEqualTo(Map.of("tm-1", 1L, "tm-2", 1L));

    // DirectRunner in this JVM, on the same input with the same job: the same rows.
    Path direct = temp.resolve("direct-out");
    StringWriter err = new StringWriter();
    int code = Flashline.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", direct.toString(),
        "--runner", "direct", "--parallelism", "2", "--no-progress");
    assertThat(code).as(err.toString()).isZero();

    Map<String, LabelledRecord> a = Outputs.labels(direct);
    Map<String, LabelledRecord> b = Outputs.labels(onCluster);
    assertThat(a).hasSize(RECORDS);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String id : a.keySet()) {
      LabelledRecord x = a.get(id);
      LabelledRecord y = b.get(id);
      assertThat(y.getStatus()).as(id).isEqualTo(Status.ok).isEqualTo(x.getStatus());
      assertThat(y.getLabel()).as(id).isEqualTo(x.getLabel());
      assertThat(y.getConfidence()).as(id).isCloseTo(x.getConfidence(), within(1e-9));
      assertThat(y.getInputTokens()).as(id).isEqualTo(x.getInputTokens());
      assertThat(y.getIsExample()).as(id).isEqualTo(x.getIsExample());
    }
    CostReport clusterReport = CostReport.read(onCluster.resolve("cost-report.json"));
    CostReport directReport = CostReport.read(direct.resolve("cost-report.json"));
    assertThat(clusterReport.runner()).isEqualTo("flink");
    assertThat(clusterReport.records()).isEqualTo(RECORDS);
    assertThat(clusterReport.labels()).isEqualTo(directReport.labels());
  }
}
