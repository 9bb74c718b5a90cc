package dev.flashline.cli;

import dev.flashline.cluster.RemoteFlinkJob;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.PriceScheduleException;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.schedule.DeferralRule;
import dev.flashline.stream.MessageFormat;
import dev.flashline.stream.StreamJob;
import dev.flashline.stream.StreamRequest;
import dev.flashline.task.BackendKind;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flashline stream}: the Kafka job. Runs until interrupted (Ctrl-C or SIGTERM). */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Classify or summarise every message of a Kafka topic as it arrives; write each result to OUT keyed by"
          + " record id (cost included), poison messages and failures to the dead-letter topic.",
      "At-least-once: an input offset is committed only after its result is written; a restart resumes there.",
      "Runs until interrupted. Exit codes: 0 stopped, 1 the stream failed, 2 bad command line or job spec."
    })
final class StreamCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--job", required = true, paramLabel = "JOB.yaml", description = "Job spec (YAML).")
  Path job;

  @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(names = "--input-topic", required = true, paramLabel = "IN", description = "Topic of documents.")
  String inputTopic;

  @Option(names = "--output-topic", required = true, paramLabel = "OUT", description = "Topic results go to, keyed by record id.")
  String outputTopic;

  @Option(names = "--dead-letter-topic", paramLabel = "DLQ", description = "Topic for poison messages and failed records. Default: IN.dead-letters.")
  String deadLetterTopic;

  @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro",
      description = "Message values: json (default) or avro (single-object encoding, schemas/ Document in, LabelledRecord out).")
  String format;

  @Option(names = "--group-id", paramLabel = "GROUP", description = "Consumer group whose offsets record progress. Default: flashline-<job name>.")
  String groupId;

  @Option(names = "--archive", paramLabel = "DIR", description = "Also write results as Parquet files, one set per window.")
  Path archive;

  @Option(names = "--archive-window", defaultValue = "60", paramLabel = "SECONDS", description = "Archive window length. Default: ${DEFAULT-VALUE} s.")
  long archiveWindowSeconds;

  @Option(names = "--max-message-bytes", defaultValue = "1048576", paramLabel = "N", description = "Larger messages are dead letters. Default: ${DEFAULT-VALUE}.")
  int maxMessageBytes;

  @Option(names = "--runner", defaultValue = "direct", paramLabel = "direct|flink", converter = LabelCommand.RunnerConverter.class,
      description = "Beam runner. Flink checkpoints every --checkpoint-interval. Default: ${DEFAULT-VALUE}.")
  RunnerChoice runner;

  @Option(names = "--parallelism", paramLabel = "N", description = "Worker threads/slots. Default: the number of CPU cores.")
  Integer parallelism;

  @Option(names = "--flink-master", paramLabel = "HOST:PORT", defaultValue = RunnerChoice.FLINK_LOCAL, description = "Flink JobManager. Default: embedded.")
  String flinkMaster;

  @Option(names = "--checkpoint-interval", defaultValue = "10", paramLabel = "SECONDS", description = "Flink checkpointing interval. Default: ${DEFAULT-VALUE} s.")
  long checkpointSeconds;

  @Option(names = "--backend", paramLabel = "local|openai|native", converter = LabelCommand.BackendConverter.class,
      description = "Model worker; overrides the job spec's backend and cascade (see `flashline label --help` for the endpoint flags in the spec).")
  BackendKind backend;

  @Option(names = "--prices", paramLabel = "FILE", description = "Price schedule replacing the shipped DeepSeek V4 one.")
  Path prices;

  @Option(names = "--no-progress", description = "Do not print progress.")
  boolean noProgress;

  @Option(names = "--detached",
      description = "With --runner flink: return once the stream is submitted and leave it to the cluster; stopping this"
          + " process then does not cancel the stream. For application mode on a Flink cluster (deploy/, docs/deploy.md),"
          + " where the cluster stops it with a savepoint.")
  boolean detached;

  /** For tests only, hidden from help: seconds between progress lines. */
  @Option(names = "--progress-interval", hidden = true, defaultValue = "10", paramLabel = "SECONDS")
  long progressSeconds;

  @picocli.CommandLine.Mixin
  CostOptions costOptions = new CostOptions();
  @Option(names = "--defer-field", paramLabel = "NAME",
      description = "Message field that marks a record non-urgent when its value is false, no, 0 or low (any case), e.g."
          + " \"urgent\": false or \"priority\": \"low\". Such records wait for the price schedule's next off-peak window,"
          + " at most --max-defer; every other record is labelled at once.")
  String deferField;

  @Option(names = "--max-defer", defaultValue = "6h", paramLabel = "DURATION",
      description = "The longest a non-urgent record waits for off-peak, e.g. 6h, 90m, 1h30m, 45s. Default: ${DEFAULT-VALUE}.")
  String maxDefer;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    StreamRequest request;
    try {
      JobSpec jobSpec = JobSpecLoader.load(job);
      if (backend != null) {
        jobSpec = jobSpec.withBackend(backend);
      }
      jobSpec = costOptions.apply(jobSpec);
      int workers = parallelism == null ? Runtime.getRuntime().availableProcessors() : parallelism;
      request =
          StreamRequest.of(jobSpec, bootstrap, inputTopic, outputTopic)
              .withDeadLetterTopic(deadLetterTopic)
              .withFormat(MessageFormat.parse(format))
              .withMaxMessageBytes(maxMessageBytes)
              .withArchive(archive, Duration.ofSeconds(archiveWindowSeconds))
              .withRunner(runner, workers, flinkMaster)
              .withCheckpointInterval(Duration.ofSeconds(Math.max(1, checkpointSeconds)))
              .withPrices(prices == null ? PriceSchedule.defaults() : PriceSchedule.load(prices));
      if (groupId != null) {
        request = request.withGroupId(groupId);
      }
      if (deferField != null) {
        request = request.withDeferral(new DeferralRule(deferField, parseDuration("--max-defer", maxDefer)));
      }
    } catch (JobSpecException | PriceScheduleException | IllegalArgumentException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    }
    if (request.deferral() != null) {
      err.printf(Locale.ROOT, "flashline: records whose '%s' is false, no, 0 or low wait for off-peak prices, at most %s;"
          + " their offsets are committed only once they are labelled%n", request.deferral().field(), maxDefer);
    }
    if (detached && runner != RunnerChoice.FLINK) {
      err.println("flashline: --detached needs --runner flink");
      return Flashline.USAGE;
    }
    long submittedAt = System.currentTimeMillis();
    StreamJob.Running running = StreamJob.start(request);
    if (detached) {
      err.printf(Locale.ROOT, "flashline: submitted the stream %s -> %s (dead letters: %s) to the Flink cluster; it runs until"
          + " the cluster stops it%n", request.inputTopic(), request.outputTopic(), request.deadLetterTopic());
      err.flush();
      return 0;
    }
    // On a Flink cluster the workers, and their counts, are in other JVMs: the JobManager reports instead.
    RemoteFlinkJob remote =
        request.runner() == RunnerChoice.FLINK && !RunnerChoice.FLINK_LOCAL.equals(request.flinkMaster())
            ? RemoteFlinkJob.find(running.pipelineResult(), request.flinkMaster(), request.job().name(), submittedAt).orElse(null)
            : null;
    if (remote != null) {
      err.println("flashline: submitted to the Flink cluster at " + request.flinkMaster() + " as job " + remote.jobId());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      if (remote != null) {
        printRemote(err, remote, "flashline: stopping: ");
      }
      running.stop();
      stopped.countDown();
    }, "flashline-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    err.printf(Locale.ROOT, "flashline: streaming %s -> %s (dead letters: %s) on %s; Ctrl-C stops%n",
        request.inputTopic(), request.outputTopic(), request.deadLetterTopic(), request.runner().displayName());
    err.flush();
    long startNanos = System.nanoTime();
    long lastDone = 0;
    long interval = Math.max(1, progressSeconds);
    while (!stopped.await(noProgress ? 3600 : interval, TimeUnit.SECONDS)) {
      PipelineResult.State state = running.state();
      if (state.isTerminal()) {
        Runtime.getRuntime().removeShutdownHook(hook);
        if (remote != null) {
          printRemote(err, remote, "flashline: ");
        }
        running.stop();
        err.println("flashline: the stream ended: " + state);
        return state == PipelineResult.State.DONE || state == PipelineResult.State.CANCELLED ? 0 : Flashline.FAILED;
      }
      if (!noProgress && remote != null) {
        err.printf(Locale.ROOT, "progress: %s · up %ds%n", remoteLine(remote), (System.nanoTime() - startNanos) / 1_000_000_000L);
        err.flush();
      } else if (!noProgress) {
        long done = running.finished();
        err.printf(Locale.ROOT, "progress: %,d messages finished · %,d in flight · %.1f/s over the last %d s · up %ds%n",
            done, running.pending(), (done - lastDone) / (double) interval, interval, (System.nanoTime() - startNanos) / 1_000_000_000L);
        err.flush();
        lastDone = done;
      }
    }
    return 0;
  }

  /** One line on the remote job: state, TaskManagers, restarts and the last failure, checkpoints. */
  private static void printRemote(PrintWriter err, RemoteFlinkJob remote, String prefix) {
    err.println(prefix + remoteLine(remote));
    err.flush();
  }

  private static String remoteLine(RemoteFlinkJob remote) {
    try {
      return remote.status().describe();
    } catch (IOException e) {
      return "flink job " + remote.jobId() + ": the JobManager does not answer (" + e.getMessage() + ")";
    }
  }

  /** {@code 6h}, {@code 90m}, {@code 1h30m}, {@code 45s}, or ISO-8601 ({@code PT6H}). */
  static Duration parseDuration(String flag, String value) {
    String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (!v.matches("(\\d+h)?(\\d+m)?(\\d+s)?") || v.isEmpty()) {
        throw new IllegalArgumentException();
      }
      return Duration.parse("PT" + v.toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(flag + " must be a duration such as 6h, 90m, 1h30m or 45s, got '" + value + "'");
    }
  }
}
