package dev.flashline.stream;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.schedule.DeferralRule;
import dev.flashline.task.JobSpec;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One streaming job: which job, between which topics, on which runner.
 *
 * @param deadLetterTopic where poison messages and failed records go (default {@code <input>.dead-letters})
 * @param archive directory for windowed Parquet copies of the results; null for none
 * @param archiveWindow the length of one archive window (one set of files per window)
 * @param checkpointInterval Flink checkpointing interval
 * @param deferral which records may wait for off-peak prices, and how long; null: none waits
 */
public record StreamRequest(
    JobSpec job,
    KafkaSettings kafka,
    String inputTopic,
    String outputTopic,
    String deadLetterTopic,
    MessageFormat format,
    int maxMessageBytes,
    String archive,
    Duration archiveWindow,
    RunnerChoice runner,
    int parallelism,
    String flinkMaster,
    Duration checkpointInterval,
    PriceSchedule prices,
    DeferralRule deferral)
    implements Serializable {
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  public StreamRequest {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(kafka, "kafka");
    requireTopic(inputTopic, "--input-topic");
    requireTopic(outputTopic, "--output-topic");
    deadLetterTopic = deadLetterTopic == null || deadLetterTopic.isBlank() ? inputTopic + ".dead-letters" : deadLetterTopic;
    requireTopic(deadLetterTopic, "--dead-letter-topic");
    if (inputTopic.equals(outputTopic) || inputTopic.equals(deadLetterTopic)) {
      throw new IllegalArgumentException("the output and dead-letter topics must differ from the input topic '" + inputTopic + "'");
    }
    format = format == null ? MessageFormat.json : format;
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("--max-message-bytes must be at least 1, got " + maxMessageBytes);
    }
    archiveWindow = archiveWindow == null ? Duration.ofMinutes(1) : archiveWindow;
    if (archiveWindow.isNegative() || archiveWindow.isZero()) {
      throw new IllegalArgumentException("--archive-window must be positive, got " + archiveWindow);
    }
    Objects.requireNonNull(runner, "runner");
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
    }
    flinkMaster = flinkMaster == null || flinkMaster.isBlank() ? RunnerChoice.FLINK_LOCAL : flinkMaster;
    checkpointInterval = checkpointInterval == null ? Duration.ofSeconds(10) : checkpointInterval;
    prices = prices == null ? PriceSchedule.defaults() : prices;
  }

  /**
   * Whether records may move between workers after they are read and before their results are
   * published: API requests grouped by prompt prefix ({@code cost.grouping} with an openai task),
   * or records held for off-peak prices. Either is a shuffle, keyed by something other than where a
   * message was read.
   */
  public boolean shufflesRecords() {
    boolean grouped = job.cost().grouping() && job.taskJobs().stream().anyMatch(JobSpec::usesOpenAi);
    return grouped || deferral != null;
  }

  /**
   * Whether the JVM that reads a message also publishes its results, so that its {@link
   * OffsetLedger} sees each message from read to written. True on one machine (DirectRunner, Flink
   * embedded), and on a Flink cluster when nothing shuffles records (reading, labelling and
   * publishing then run chained in one task). On a cluster with a shuffle a record's result may be
   * published by another TaskManager, which that ledger would never hear of: there keyed steps do
   * its work across workers instead ({@link AttachSourceFn}, {@link CommitOffsetsFn}).
   */
  public boolean offsetsTrackedWhereRead() {
    boolean cluster = runner == RunnerChoice.FLINK && !RunnerChoice.FLINK_LOCAL.equals(flinkMaster);
    return !cluster || !shufflesRecords();
  }

  public static StreamRequest of(JobSpec job, String bootstrap, String inputTopic, String outputTopic) {
    return new StreamRequest(job, new KafkaSettings(bootstrap, "flashline-" + job.name()), inputTopic, outputTopic, null, null,
        DEFAULT_MAX_MESSAGE_BYTES, null, null, RunnerChoice.DIRECT, Runtime.getRuntime().availableProcessors(), null, null, null, null);
  }

  public StreamRequest withDeadLetterTopic(String value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, value, format, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, prices, deferral);
  }

  public StreamRequest withFormat(MessageFormat value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, value, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, prices, deferral);
  }

  public StreamRequest withMaxMessageBytes(int value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, value, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, prices, deferral);
  }

  public StreamRequest withArchive(Path dir, Duration window) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes,
        dir == null ? null : dir.toAbsolutePath().toString(), window, runner, parallelism, flinkMaster, checkpointInterval, prices, deferral);
  }

  public StreamRequest withRunner(RunnerChoice value, int workers, String master) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes, archive, archiveWindow, value, workers, master, checkpointInterval, prices, deferral);
  }

  public StreamRequest withGroupId(String value) {
    return new StreamRequest(job, new KafkaSettings(kafka.bootstrapServers(), value), inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, prices, deferral);
  }

  public StreamRequest withCheckpointInterval(Duration value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, value, prices, deferral);
  }

  public StreamRequest withPrices(PriceSchedule value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, value, deferral);
  }

  /** Non-urgent records (as the rule marks them) wait for off-peak prices, up to the rule's maximum delay. */
  public StreamRequest withDeferral(DeferralRule value) {
    return new StreamRequest(job, kafka, inputTopic, outputTopic, deadLetterTopic, format, maxMessageBytes, archive, archiveWindow, runner, parallelism, flinkMaster, checkpointInterval, prices, value);
  }

  private static void requireTopic(String topic, String flag) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException(flag + " is required");
    }
    if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(flag + " '" + topic + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')");
    }
  }
}
