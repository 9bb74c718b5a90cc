package dev.flashline.pipeline;

import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** The runners the command line offers, and the pipeline options each needs. */
public enum RunnerChoice {
  DIRECT,
  FLINK;

  /** Flink's embedded local cluster, inside this JVM. */
  public static final String FLINK_LOCAL = "[local]";

  public static RunnerChoice parse(String name) {
    return valueOf(name.strip().toUpperCase(Locale.ROOT));
  }

  public PipelineOptions options(String jobName, int parallelism, String flinkMaster) {
    switch (this) {
      case DIRECT -> {
        DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
        options.setRunner(DirectRunner.class);
        options.setTargetParallelism(parallelism);
        // The copy-and-compare checks are for testing DoFns; in production runs they double the work.
        options.setEnforceImmutability(false);
        options.setEnforceEncodability(false);
        options.setJobName(jobName);
        return options;
      }
      case FLINK -> {
        FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
        options.setRunner(FlinkRunner.class);
        options.setFlinkMaster(flinkMaster);
        options.setParallelism(parallelism);
        options.setJobName(jobName);
        return options;
      }
      default -> throw new AssertionError(this);
    }
  }

  /**
   * Options for an unbounded pipeline: streaming mode, and on Flink checkpointing every
   * {@code checkpointMillis}.
   */
  public PipelineOptions streamingOptions(String jobName, int parallelism, String flinkMaster, long checkpointMillis) {
    PipelineOptions options = options(jobName, parallelism, flinkMaster);
    options.as(org.apache.beam.sdk.options.StreamingOptions.class).setStreaming(true);
    // KafkaIO's splittable-DoFn reader; the runners otherwise pick the legacy UnboundedSource one.
    org.apache.beam.sdk.options.ExperimentalOptions.addExperiment(
        options.as(org.apache.beam.sdk.options.ExperimentalOptions.class), "use_sdf_read");
    if (this == DIRECT) {
      // run() returns at once; the caller watches the stream and cancels it.
      options.as(DirectOptions.class).setBlockOnRun(false);
    } else {
      FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
      flink.setCheckpointingInterval(checkpointMillis);
      // A checkpoint of the Kafka job takes about as long as a short interval (KafkaIO's reader holds
      // its task up to 10 s before the barrier passes): without a pause the next would start the moment
      // one ended and the job would always be checkpointing.
      flink.setMinPauseBetweenCheckpoints(checkpointMillis / 2);
      // run() returns once the job is submitted, with a handle that can cancel it.
      flink.setAttachedMode(false);
    }
    return options;
  }

  public String displayName() {
    return this == DIRECT ? "direct" : "flink";
  }
}
