package dev.flashline.cli;

import dev.flashline.io.InputFiles;
import dev.flashline.pipeline.LabelJob;
import dev.flashline.pipeline.LabelRequest;
import dev.flashline.pipeline.RunnerChoice;
import dev.flashline.report.CostReport;
import dev.flashline.report.SummaryPrinter;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import java.nio.file.Path;
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
  /** The backends this build offers. */
  enum Backend {
    local
  }

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
      defaultValue = "local",
      paramLabel = "local",
      description = "Model worker. Default: ${DEFAULT-VALUE} (the embedded model; no network).")
  Backend backend;

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
    int workers = parallelism == null ? Runtime.getRuntime().availableProcessors() : parallelism;
    if (workers < 1) {
      err.println("flashline: --parallelism must be at least 1, got " + workers);
      return Flashline.USAGE;
    }
    LabelRequest request = new LabelRequest(jobSpec, input, output, runner, workers, flinkMaster, !noProgress);
    try {
      CostReport report = LabelJob.run(request, err);
      SummaryPrinter.print(report, spec.commandLine().getOut());
      return 0;
    } catch (InputFiles.InputException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    } catch (Exception e) {
      err.println("flashline: job '" + jobSpec.name() + "' failed: " + rootMessage(e));
      return Flashline.FAILED;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + cause + ")";
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
