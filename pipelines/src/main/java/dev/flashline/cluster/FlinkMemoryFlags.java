package dev.flashline.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The memory flags a Flink process starts with, computed from the configuration exactly as Flink's
 * own start scripts compute them ({@code BashJavaUtils GET_JM_RESOURCE_PARAMS} and {@code
 * GET_TM_RESOURCE_PARAMS} run the same calls): the JVM flags ({@code -Xmx}, {@code -Xms}, {@code
 * -XX:MaxDirectMemorySize}, {@code -XX:MaxMetaspaceSize}) and the {@code -D key=value} program
 * arguments that tell the process how its memory was divided.
 *
 * @param jvm flags for the {@code java} command, before the main class
 * @param dynamic program arguments, after the main class ({@code -D}, {@code key=value}, ...)
 */
record FlinkMemoryFlags(List<String> jvm, List<String> dynamic) {
  FlinkMemoryFlags {
    jvm = List.copyOf(jvm);
    dynamic = List.copyOf(dynamic);
  }

  static FlinkMemoryFlags jobManager(Path confDir) {
    Configuration config = GlobalConfiguration.loadConfiguration(confDir.toString());
    JobManagerProcessSpec spec =
        JobManagerProcessUtils.processSpecFromConfigWithNewOptionToInterpretLegacyHeap(config, JobManagerOptions.JVM_HEAP_MEMORY);
    return new FlinkMemoryFlags(
        split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)), split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
  }

  static FlinkMemoryFlags taskManager(Path confDir) {
    Configuration config =
        TaskExecutorProcessUtils.getConfigurationMapLegacyTaskManagerHeapSizeToConfigOption(
            GlobalConfiguration.loadConfiguration(confDir.toString()), TaskManagerOptions.TOTAL_FLINK_MEMORY);
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
    return new FlinkMemoryFlags(
        split(ProcessMemoryUtils.generateJvmParametersStr(spec)), split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
  }

  /** The heap the flags give the process ({@code -Xmx}), in bytes; 0 when they set none. */
  long maxHeapBytes() {
    for (String flag : jvm) {
      if (flag.startsWith("-Xmx")) {
        return Long.parseLong(flag.substring(4));
      }
    }
    return 0;
  }

  /** The scripts split these strings on spaces; so does this (no value contains one). */
  private static List<String> split(String flags) {
    return new ArrayList<>(Arrays.stream(flags.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList());
  }
}
