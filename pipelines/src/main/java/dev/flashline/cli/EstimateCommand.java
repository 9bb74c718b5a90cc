package dev.flashline.cli;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.PriceScheduleException;
import dev.flashline.estimate.CascadeSample;
import dev.flashline.estimate.CostEstimate;
import dev.flashline.estimate.DocumentScan;
import dev.flashline.estimate.EstimateTable;
import dev.flashline.estimate.PriceColumns;
import dev.flashline.estimate.TaskLoad;
import dev.flashline.estimate.TaskLoads;
import dev.flashline.io.InputFiles;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import dev.flashline.task.PromptLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flashline estimate}: what a job would cost, without calling a model. */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description = {
      "Predict what labelling PATH with JOB would cost, calling no model: tokenizes with the DeepSeek tokenizer,"
          + " predicts cache hits with and without grouping and priming, and prints the cost for each model and"
          + " price tier, with and without a local cascade. See docs/estimate.md.",
      "Exit codes: 0 done, 2 bad command line, job spec, prices or input."
    })
final class EstimateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--job", required = true, paramLabel = "JOB.yaml", description = "Job spec (YAML).")
  Path job;

  @Option(names = "--input", required = true, paramLabel = "PATH",
      description = "A file, or a directory searched recursively, of *.parquet, *.jsonl/*.ndjson or *.csv.")
  Path input;

  @Option(names = "--prices", paramLabel = "FILE",
      description = "Price schedule (YAML, see docs/prices.md) replacing the shipped DeepSeek V4 one.")
  Path prices;

  @Option(names = "--max-in-flight", paramLabel = "N",
      description = "Requests in flight at once. Default: the job spec's openai.max_in_flight.")
  Integer maxInFlight;

  @Option(names = "--output-tokens", paramLabel = "N",
      description = "Output tokens per request, instead of the estimate (a JSON label, or the summary budget).")
  Integer outputTokens;

  @Option(names = "--sample", paramLabel = "N", defaultValue = "500",
      description = "Documents the local model classifies to measure the cascade's escalated share. Default: ${DEFAULT-VALUE}.")
  int sample;

  @Option(names = "--no-local", description = "Do not run the local model: the cascade rows equal the others.")
  boolean noLocal;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the numbers as JSON to FILE.")
  Path json;

  /** For tests only, hidden: price at this instant instead of now (an ISO instant). */
  @Option(names = "--at", hidden = true, paramLabel = "INSTANT")
  String at;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxInFlight != null && (maxInFlight < 1 || maxInFlight > 100_000)) {
      return usage(err, "--max-in-flight must be between 1 and 100000, got " + maxInFlight);
    }
    if (outputTokens != null && outputTokens < 0) {
      return usage(err, "--output-tokens must be at least 0, got " + outputTokens);
    }
    if (sample < 0) {
      return usage(err, "--sample must be at least 0, got " + sample);
    }
    Instant when;
    try {
      when = at == null ? Instant.now() : Instant.parse(at);
    } catch (DateTimeParseException e) {
      return usage(err, "--at must be an ISO instant such as 2026-09-01T12:00:00Z, got '" + at + "'");
    }
    JobSpec jobSpec;
    try {
      jobSpec = JobSpecLoader.load(job);
    } catch (JobSpecException e) {
      return usage(err, e.getMessage());
    }
    PriceSchedule schedule;
    try {
      schedule = prices == null ? PriceSchedule.defaults() : PriceSchedule.load(prices);
    } catch (PriceScheduleException e) {
      return usage(err, e.getMessage());
    }
    InputFiles files;
    try {
      files = InputFiles.resolve(input, jobSpec);
    } catch (InputFiles.InputException e) {
      return usage(err, e.getMessage());
    }
    DocumentScan scan;
    try {
      scan = DocumentScan.run(jobSpec, files, TaskLoads.summaryBudgets(jobSpec), noLocal ? 0 : sample, err);
    } catch (IOException | java.io.UncheckedIOException e) {
      return usage(err, "input " + input + ": cannot read: " + e.getMessage());
    }
    boolean classifies = jobSpec.taskJobs().stream().anyMatch(t -> t.task() == dev.flashline.schema.TaskType.classify);
    boolean localRun = !noLocal && sample > 0 && classifies;
    CascadeSample cascade = null;
    if (localRun) {
      err.printf("estimate: running the local model on %d sampled documents to measure the cascade%n", scan.sample().size());
      err.flush();
      cascade = new CascadeSample(scan.sample());
    }
    List<TaskLoad> loads = TaskLoads.of(jobSpec, scan, cascade, outputTokens);
    long lead = DocumentScan.sharedLead(PromptLayout.of(jobSpec.taskJobs().get(0)));
    PriceColumns columns = PriceColumns.of(schedule, when, TaskLoads.models(jobSpec));
    if (columns.models().isEmpty()) {
      return usage(err, "prices " + schedule.source() + ": entry '" + columns.entryId() + "' prices none of "
          + String.join(", ", TaskLoads.models(jobSpec)) + "; give a prices file that does with --prices FILE");
    }
    CostEstimate estimate = CostEstimate.compute(
        loads, columns, TaskLoads.inFlight(jobSpec, maxInFlight), lead, scan.documents(), jobSpec.cost());
    EstimateTable.Header header = new EstimateTable.Header(
        jobSpec.name(), input.toString(), scan.records(), scan.unmappable(), scan.firstUnmappable(), scan.documents(),
        scan.distinct(), scan.duplicates(), jobSpec.cost().reuse(), localRun, outputTokens);
    EstimateTable.print(header, estimate, out);
    if (json != null) {
      try {
        EstimateTable.writeJson(header, estimate, json);
      } catch (IOException e) {
        return usage(err, "--json " + json + ": cannot write: " + e.getMessage());
      }
    }
    return 0;
  }

  private static int usage(PrintWriter err, String message) {
    err.println("flashline: " + message);
    return Flashline.USAGE;
  }
}
