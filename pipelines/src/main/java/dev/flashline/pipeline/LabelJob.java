package dev.flashline.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.beam.CostMetrics;
import dev.flashline.beam.JobProgress;
import dev.flashline.beam.LabelDocuments;
import dev.flashline.cluster.RemoteFlinkJob;
import dev.flashline.io.InputFiles;
import dev.flashline.io.OutputLayout;
import dev.flashline.io.ReadDocuments;
import dev.flashline.io.WriteResults;
import dev.flashline.report.CostReport;
import dev.flashline.report.JobTotals;
import dev.flashline.report.TotalsFn;
import dev.flashline.schema.LabelledRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The bulk file job: read documents from Parquet/JSONL/CSV, label or summarise them, write one
 * Parquet row per input record plus dead letters, and assemble {@code cost-report.json}.
 */
public final class LabelJob {
  /** Records per output file. */
  static final long RECORDS_PER_SHARD = 1_000_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOTALS = "totals";
  private static final String FIT_REPORT = "classifier";

  private LabelJob() {}

  /**
   * Checks the input, runs the job to completion and writes the report.
   *
   * @param log where progress goes (standard error on the command line)
   * @throws InputFiles.InputException when the input cannot be read; nothing has run then
   * @throws JobSetupException when a model has no price or the endpoint cannot be used; nothing has run then
   */
  public static CostReport run(LabelRequest request, PrintWriter log)
      throws InputFiles.InputException, JobSetupException, IOException {
    InputFiles input = InputFiles.resolve(request.input(), request.job());
    EndpointPreflight.check(request, log);
    NativePreflight.check(request);
    OffPeakStart offPeak;
    try {
      offPeak = OffPeakStart.await(request, log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the off-peak window; nothing was sent", e);
    }
    OutputLayout.prepare(request.output());
    String runId = UUID.randomUUID().toString();
    Pipeline pipeline =
        Pipeline.create(request.runner().options(request.job().name(), request.parallelism(), request.flinkMaster()));
    build(pipeline, request.withWhen(offPeak.when()), input, runId);

    long started = System.nanoTime();
    try (ModelWarmUp warmUp = ModelWarmUp.startIfLocal(request);
        ProgressReporter progress = progress(request, runId, input, log, offPeak)) {
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new IOException("the pipeline ended in state " + state);
      }
    } finally {
      JobProgress.forget(runId);
      ChatClients.closeRun(runId);
    }
    double wallSeconds = (System.nanoTime() - started) / 1e9;

    Path work = request.output().resolve(OutputLayout.WORK_DIR);
    JobTotals totals = JSON.readValue(work.resolve(TOTALS + ".json").toFile(), JobTotals.class);
    Path fit = work.resolve(FIT_REPORT + ".json");
    FewShotClassifier.FitReport fitReport =
        Files.exists(fit) && Files.size(fit) > 0
            ? JSON.readValue(fit.toFile(), FewShotClassifier.FitReport.class)
            : null;
    CostReport report = ReportAssembler.assemble(request, input, totals, fitReport, wallSeconds);
    report.write(request.output().resolve(OutputLayout.COST_REPORT));
    OutputLayout.finish(request.output());
    return report;
  }

  private static ProgressReporter progress(LabelRequest request, String runId, InputFiles input, PrintWriter log, OffPeakStart offPeak) {
    if (request.runner() == RunnerChoice.FLINK && !RunnerChoice.FLINK_LOCAL.equals(request.flinkMaster())) {
      // The workers, and the counts they keep, are in the cluster's JVMs: report what its JobManager says.
      return ProgressReporter.startRemote(
          log, request.progress(), RemoteFlinkJob.statusLine(request.flinkMaster(), request.job().name(), System.currentTimeMillis()));
    }
    return ProgressReporter.start(runId, input.estimatedRecords() * request.job().taskJobs().size(), log, request.progress(), offPeak.progressNote());
  }

  static void build(Pipeline pipeline, LabelRequest request, InputFiles input, String runId) {
    String output = request.output().toAbsolutePath().toString();
    String work = request.output().resolve(OutputLayout.WORK_DIR).toAbsolutePath().toString();
    PCollectionTuple read = pipeline.apply("Read", ReadDocuments.from(input, request.job(), runId).withWorkers(request.parallelism()));
    PCollectionTuple labelled =
        read.get(ReadDocuments.DOCUMENTS)
            .apply(
                "Label",
                LabelDocuments.of(request.job())
                    .withRunId(runId)
                    .withPrices(request.prices())
                    .withWorkers(request.parallelism())
                    .withClock(request.waitClock())
                    .withWhen(request.when()));
    PCollection<LabelledRecord> rows =
        PCollectionList.of(labelled.get(LabelDocuments.RECORDS))
            .and(read.get(ReadDocuments.FAILED))
            .apply("AllRows", Flatten.pCollections());

    int shards = (int) Math.max(1, (input.estimatedRecords() + RECORDS_PER_SHARD - 1) / RECORDS_PER_SHARD);
    rows.apply("WriteLabels", WriteResults.labels(output, shards));
    rows.apply("CostMetrics", CostMetrics.count());
    read.get(ReadDocuments.DEAD_LETTERS).apply("WriteDeadLetters", WriteResults.deadLetters(output));

    rows.apply("Totals", Combine.globally(new TotalsFn()))
        .apply("TotalsJson", MapElements.into(TypeDescriptors.strings()).via((JobTotals totals) -> json(totals)))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteTotals", TextIO.write().to(work + "/" + TOTALS).withSuffix(".json").withoutSharding());
    labelled
        .get(LabelDocuments.FIT_REPORTS)
        .apply(
            "FitReportJson",
            MapElements.into(TypeDescriptors.strings()).via((FewShotClassifier.FitReport fit) -> json(fit)))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteFitReport", TextIO.write().to(work + "/" + FIT_REPORT).withSuffix(".json").withoutSharding());
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
