package dev.flashline.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What any Flink cluster must be configured with to run Flashline's jobs, whoever starts it: the
 * local cluster ({@link LocalFlinkCluster}) writes these, and the FlinkDeployments in
 * {@code deploy/k8s} must carry them (the deploy tests check).
 */
public final class FlinkJobSettings {
  private FlinkJobSettings() {}

  /** Flink configuration entries. */
  public static Map<String, String> config() {
    Map<String, String> c = new LinkedHashMap<>();
    // A native library loads into one class loader per JVM. Each job gets its own class loader, so the
    // second job to load the tokenizer's (DJL keeps it at one path) would fail: these come from the
    // TaskManager's classpath instead, as Flink advises for native code, once per JVM for every job.
    c.put("classloader.parent-first-patterns.additional", "ai.djl.;ai.onnxruntime.");
    // Beam's threads may outlive a task and touch its class loader; Flink would fail the job for it.
    c.put("classloader.check-leaked-classloader", "false");
    return c;
  }

  /**
   * JVM options for the TaskManagers beyond the {@code --add-opens} Flink itself needs: the native
   * engine's matmul kernel is the Vector API, an incubator module in Java 17 (without it the engine
   * falls back to a scalar kernel several times slower).
   */
  public static List<String> jvmOptions() {
    return List.of("--add-modules", "jdk.incubator.vector");
  }
}
