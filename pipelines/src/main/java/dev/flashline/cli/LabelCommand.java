package dev.flashline.cli;

import dev.flashline.backend.openai.EndpointAuthException;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.PriceScheduleException;
import dev.flashline.io.InputFiles;
import dev.flashline.pipeline.JobSetupException;
import dev.flashline.pipeline.LabelJob;
import dev.flashline.pipeline.LabelRequest;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.report.CostReport;
import dev.flashline.report.SummaryPrinter;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schedule.When;
import dev.flashline.task.BackendKind;
import dev.flashline.task.NativeSpec;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import dev.flashline.task.OpenAiSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code flashline label}: the bulk file job. */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    description = {
      "Classify or summarise every record of PATH and write one Parquet row per record plus cost-report.json to DIR.",
      "Exit codes: 0 done (some records may have failed: see the report), 1 the job failed while running,"
          + " 2 bad command line, job spec or input (nothing ran)."
    })
final class LabelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--job", required = true, paramLabel = "JOB.yaml", description = "Job spec (YAML).")
  Path job;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "PATH",
      description = "A file, or a directory searched recursively, of *.parquet, *.jsonl/*.ndjson or *.csv.")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the results go.")
  Path output;

  @Option(
      names = "--runner",
      defaultValue = "direct",
      paramLabel = "direct|flink",
      converter = RunnerConverter.class,
      description = "Beam runner: direct, or flink (Flink's embedded cluster unless --flink-master). Default: ${DEFAULT-VALUE}.")
  RunnerChoice runner;

  @Option(
      names = "--backend",
      paramLabel = "local|openai|native",
      converter = BackendConverter.class,
      description = {
        "Model worker: local (the embedded model; no network), openai (an OpenAI-compatible endpoint:"
            + " the DeepSeek API, vLLM, SGLang) or native (the engine inside the worker running a checkpoint"
            + " from disk, see --native-model). Overrides the job spec's backend and cascade."
            + " Default: the job spec's (local if it names none)."
      })
  BackendKind backend;

  @Option(
      names = "--native-model",
      paramLabel = "DIR",
      description = "Checkpoint directory for the native backend (config.json, safetensors weights, tokenizer.json)."
          + " Default: the job spec's native.model.")
  Path nativeModel;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Chat-completions base URL for --backend openai (requests go to URL/chat/completions)."
          + " Default: the job spec's openai.endpoint, else " + OpenAiSpec.DEFAULT_ENDPOINT + ".")
  String endpoint;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = "Model for --backend openai. Default: the job spec's openai.model, else " + OpenAiSpec.DEFAULT_MODEL + ".")
  String model;

  @Option(
      names = "--api-key-env",
      paramLabel = "VAR",
      description = "Environment variable holding the API key. Default: the job spec's, else " + OpenAiSpec.DEFAULT_API_KEY_ENV + ".")
  String apiKeyEnv;

  @Option(
      names = "--api-key-file",
      paramLabel = "FILE",
      description = "File whose first line is the API key; wins over --api-key-env. The key is never printed or stored.")
  String apiKeyFile;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      description = "Requests in flight at once over the whole job. Default: the job spec's, else " + OpenAiSpec.DEFAULT_MAX_IN_FLIGHT + ".")
  Integer maxInFlight;

  @Option(
      names = "--prices",
      paramLabel = "FILE",
      description = "Price schedule (YAML, see docs/prices.md) replacing the shipped DeepSeek V4 one.")
  Path prices;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "Worker threads/slots. Default: the number of CPU cores.")
  Integer parallelism;

  @Option(
      names = "--flink-master",
      paramLabel = "HOST:PORT",
      defaultValue = RunnerChoice.FLINK_LOCAL,
      description = "Flink JobManager for --runner flink. Default: ${DEFAULT-VALUE} (embedded).")
  String flinkMaster;

  @Option(names = "--no-progress", description = "Do not print progress while the job runs.")
  boolean noProgress;

  @picocli.CommandLine.Mixin
  CostOptions costOptions = new CostOptions();
  @Option(
      names = "--when",
      defaultValue = "now",
      paramLabel = "now|off-peak",
      converter = WhenConverter.class,
      description = {
        "now (default), or off-peak: wait for the next off-peak window of the price schedule (start at once inside one),"
            + " stop sending new requests at the window's end and resume in the next; no record is lost or sent twice."
            + " Ignored for a local-only backend (local work has no peak price)."
      })
  When when;

  /**
   * For tests only, hidden from help: {@code START,SPEED} runs the job on a clock that starts at
   * START (an ISO instant) and runs SPEED times faster than real time, for pricing and for
   * off-peak waits alike, so a test crosses price windows in seconds.
   */
  @Option(names = "--testing-clock", hidden = true, paramLabel = "START,SPEED")
  String testingClock;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    JobSpec jobSpec;
    try {
      jobSpec = JobSpecLoader.load(job);
    } catch (JobSpecException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    }
    try {
      jobSpec = withCommandLine(jobSpec);
    } catch (IllegalArgumentException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    }
    PriceSchedule schedule;
    try {
      schedule = prices == null ? PriceSchedule.defaults() : PriceSchedule.load(prices);
    } catch (PriceScheduleException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    }
    int workers = parallelism == null ? Runtime.getRuntime().availableProcessors() : parallelism;
    if (workers < 1) {
      err.println("flashline: --parallelism must be at least 1, got " + workers);
      return Flashline.USAGE;
    }
    LabelRequest request =
        new LabelRequest(jobSpec, input, output, runner, workers, flinkMaster, !noProgress).withPrices(schedule).withWhen(when);
    if (testingClock != null) {
      try {
        request = request.withWaitClock(testingClock(testingClock));
      } catch (IllegalArgumentException e) {
        err.println("flashline: " + e.getMessage());
        return Flashline.USAGE;
      }
    }
    try {
      CostReport report = LabelJob.run(request, err);
      SummaryPrinter.print(report, spec.commandLine().getOut());
      return 0;
    } catch (InputFiles.InputException | JobSetupException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    } catch (Exception e) {
      err.println("flashline: job '" + jobSpec.name() + "' failed: " + rootMessage(e));
      return Flashline.FAILED;
    }
  }

  /** The job spec with the command line's backend settings applied over it. */
  private JobSpec withCommandLine(JobSpec spec) {
    boolean endpointFlags = endpoint != null || model != null || apiKeyEnv != null || apiKeyFile != null || maxInFlight != null;
    JobSpec out = spec;
    if (nativeModel != null) {
      // Before the backend: a spec switched to native is checked for its model on the spot.
      NativeSpec n = out.nativeModel();
      out = out.withNative(new NativeSpec(nativeModel.toString(), n.kvBlocks(), n.blockSize(), n.maxSeqs(), n.maxBatchTokens()));
    }
    if (backend != null) {
      out = out.withBackend(backend);
    }
    if (nativeModel != null && !out.usesNative()) {
      throw new IllegalArgumentException("--native-model applies to a native backend; add --backend native");
    }
    if (endpointFlags && !out.usesOpenAi()) {
      throw new IllegalArgumentException(
          "--endpoint, --model, --api-key-env, --api-key-file and --max-in-flight apply to an openai backend;"
              + " add --backend openai");
    }
    OpenAiSpec openai = out.openai();
    if (endpoint != null) {
      openai = openai.withEndpoint(endpoint);
    }
    if (model != null) {
      openai = openai.withModel(model);
    }
    if (apiKeyEnv != null) {
      openai = openai.withApiKeyEnv(apiKeyEnv);
    }
    if (apiKeyFile != null) {
      openai = openai.withApiKeyFile(apiKeyFile);
    }
    if (maxInFlight != null) {
      openai = openai.withMaxInFlight(maxInFlight);
    }
    return costOptions.apply(out.withOpenAi(openai));
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    if (cause instanceof EndpointAuthException) {
      return cause.getMessage();
    }
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + cause + ")";
  }

  private static WaitClock testingClock(String value) {
    String[] parts = value.split(",", 2);
    try {
      return WaitClock.scaled(Instant.parse(parts[0].strip()), parts.length < 2 ? 1 : Double.parseDouble(parts[1].strip()));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("--testing-clock must be START,SPEED (an ISO instant and a number), got '" + value + "'");
    }
  }

  static final class WhenConverter implements picocli.CommandLine.ITypeConverter<When> {
    @Override
    public When convert(String value) {
      try {
        return When.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class BackendConverter implements picocli.CommandLine.ITypeConverter<BackendKind> {
    @Override
    public BackendKind convert(String value) {
      try {
        return BackendKind.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class RunnerConverter implements picocli.CommandLine.ITypeConverter<RunnerChoice> {
    @Override
    public RunnerChoice convert(String value) {
      try {
        return RunnerChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("unknown runner '" + value + "' (expected direct or flink)");
      }
    }
  }
}
