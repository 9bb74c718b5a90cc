package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.openai.Answerer;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.Fault;
import dev.flashline.backend.openai.Script;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.backend.openai.TokenUsageSent;
import dev.flashline.cost.ComputeCost;
import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.ComputeSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flashline label --backend openai} end to end against a real HTTP server speaking chat
 * completions, with the faults a real API has.
 */
class OpenAiJobIT {
  private static final String KEY = "sk-flashline-test-4f6c1d2e9a";
  private static final int RECORDS = 300;

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private ChatCompletionsServer server;
  private Path keyFile;
  private Path input;

  @BeforeEach
  void setUp() throws IOException {
    keyFile = Files.writeString(temp.resolve("api.key"), KEY + "\n");
    input = Samples.head(Files.createDirectories(temp.resolve("in")), RECORDS);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    assertThat(ChatClients.open()).as("chat clients left open").isZero();
  }

  private static Answerer spamWords() {
    Map<String, String> words = new LinkedHashMap<>();
    for (String word : List.of("free", "prize", "claim", "winner", "urgent", "txt", "call 0", "cash")) {
      words.put(word, "spam");
    }
    return Answerer.classifyByKeyword(words, "ham", 0.9);
  }

  private void start(ServerConfig config) {
    server = ChatCompletionsServer.start(config.withApiKey(KEY));
  }

  private int flashline(String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "openai", "--endpoint", server.baseUri().toString(), "--model", "deepseek-v4-flash",
        "--api-key-file", keyFile.toString(), "--parallelism", "2"));
    args.addAll(List.of(extra));
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
  }

  /** Every figure in the rows adds up to the report, and to what the server says it delivered. */
  private void assertCostsAddUp(Map<String, LabelledRecord> rows) throws IOException {
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    double rowCost = 0;
    for (LabelledRecord row : rows.values()) {
      double charges = 0;
      for (Charge charge : row.getCharges()) {
        double priced = charge.getBackend().equals("local")
            ? ComputeCost.usd(charge.getComputeSeconds(), ComputeSpec.defaults())
            : (charge.getCacheHitTokens() * charge.getUsdPerMillionCacheHit()
                + charge.getCacheMissTokens() * charge.getUsdPerMillionCacheMiss()
                + charge.getOutputTokens() * charge.getUsdPerMillionOutput()) / 1e6;
        assertThat(charge.getCostUsd()).isCloseTo(priced, Offset.offset(1e-15));
        charges += charge.getCostUsd();
      }
      assertThat(row.getCostUsd()).isCloseTo(charges, Offset.offset(1e-15));
      rowCost += row.getCostUsd();
    }
    assertThat(report.costUsd()).isCloseTo(rowCost, Offset.offset(1e-12));
    TokenUsageSent sent = server.deliveredUsage();
    assertThat(rows.values().stream().mapToLong(LabelledRecord::getCacheHitTokens).sum()).isEqualTo(sent.hit()).isEqualTo(report.tokens().cacheHit());
    assertThat(rows.values().stream().mapToLong(LabelledRecord::getCacheMissTokens).sum()).isEqualTo(sent.miss()).isEqualTo(report.tokens().cacheMiss());
    assertThat(rows.values().stream().mapToLong(LabelledRecord::getOutputTokens).sum()).isEqualTo(sent.completion()).isEqualTo(report.tokens().output());
  }

  private void assertKeyNowhere() throws IOException {
    assertThat(out.toString()).doesNotContain(KEY);
    assertThat(err.toString()).doesNotContain(KEY);
    try (Stream<Path> files = Files.walk(temp.resolve("out"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(KEY);
      }
    }
  }

  @Test
  void everyRecordEndsOnceThroughAStormOfFaultsAndTheCostsAddUp() throws Exception {
    Script faults =
        Script.chain(
            Script.firstN(30, Fault.Status.rateLimited("0.2")),
            (request, n) -> n % 13 == 0 ? new Fault.Status(503) : Fault.NONE,
            (request, n) -> n % 17 == 0 ? new Fault.Status(500) : Fault.NONE,
            (request, n) -> n % 19 == 0 ? new Fault.ResetMidBody() : Fault.NONE,
            (request, n) -> n % 23 == 0 ? new Fault.KeepAliveLines(3, Duration.ofMillis(50)) : Fault.NONE,
            (request, n) -> n % 29 == 0 ? new Fault.MalformedBody() : Fault.NONE,
            // Not on a corrective retry: with 64 in flight, a record's first request and its retry
            // could both fall on a multiple of 31, and the record then rightly fails invalid_output.
            (request, n) -> n % 31 == 0 && request.messages().size() <= 2
                ? new Fault.Content("{\"label\": \"phishing\", \"confidence\": 0.99}") : Fault.NONE,
            (request, n) -> n % 37 == 0 ? new Fault.Delay(Duration.ofSeconds(4)) : Fault.NONE);
    start(ServerConfig.defaults().withAnswerer(spamWords()).withScript(faults));

    int code = flashline("--max-in-flight", "64");

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(RECORDS);
    assertThat(rows.values()).allSatisfy(row -> {
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      assertThat(row.getLabel()).isIn("spam", "ham");
      assertThat(row.getBackend()).isEqualTo("openai");
      assertThat(row.getPriceSchedule()).startsWith("deepseek-v4");
    });
    assertThat(rows.values().stream().mapToInt(LabelledRecord::getAttempts).sum()).isEqualTo(server.requests());
    assertThat(server.requests()).isGreaterThan(RECORDS + 30);
    assertThat(server.maxConcurrent()).isLessThanOrEqualTo(64);
    assertCostsAddUp(rows);
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.tokens().cacheHitRatio()).isGreaterThan(0.5);
    assertThat(report.pricesApplied()).isNotEmpty().allSatisfy(p -> assertThat(p.model()).isEqualTo("deepseek-v4-flash"));
    assertThat(out.toString()).contains("deepseek-v4-flash");
    assertKeyNowhere();
  }

  @Test
  void summariesComeBackWithinTheBudget() throws Exception {
    start(ServerConfig.defaults().withAnswerer(Answerer.summaryFirstWords(30)));
    Path job = Files.writeString(temp.resolve("summarise.yaml"), """
        name: sms-summaries
        task: summarise
        summary: {max_words: 12, max_sentences: 2}
        """);

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", job.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "openai", "--endpoint", server.baseUri().toString(), "--api-key-file", keyFile.toString());

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(RECORDS);
    assertThat(rows.values()).allSatisfy(row -> {
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      assertThat(row.getSummary()).isNotBlank();
      assertThat(row.getSummary().replace(" …", "").split("\\s+").length).isLessThanOrEqualTo(12);
    });
    assertCostsAddUp(rows);
  }

  @Test
  void anExhaustedBalanceFinishesTheJobWithTheRestMarkedUnsent() throws Exception {
    start(ServerConfig.defaults().withAnswerer(spamWords()).withScript(Script.afterN(100, new Fault.Status(402))));

    // Exactly 100 answers before the 402: no primer takes one of them, no duplicate reuses one.
    int code = flashline("--max-in-flight", "8", "--priming", "off", "--reuse", "off");

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(RECORDS);
    long ok = rows.values().stream().filter(r -> r.getStatus() == Status.ok).count();
    assertThat(ok).isEqualTo(100);
    assertThat(rows.values().stream().filter(r -> r.getStatus() == Status.failed))
        .hasSize(RECORDS - 100)
        .allSatisfy(r -> assertThat(r.getError()).startsWith("insufficient_balance: "));
    assertThat(server.requests()).isLessThanOrEqualTo(100 + 8);
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.failureReasons()).containsEntry("insufficient_balance", (long) (RECORDS - 100));
    assertCostsAddUp(rows);
  }

  @Test
  void aRejectedKeyStopsTheJobBeforeItStarts() throws Exception {
    start(ServerConfig.defaults());
    Files.writeString(keyFile, "sk-wrong-but-secret-991\n");

    int code = flashline();

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("refused the API key (HTTP 401)").contains("file " + keyFile).doesNotContain("sk-wrong-but-secret-991");
    assertThat(server.requests()).isZero();
  }

  @Test
  void aKeyRefusedMidJobStopsIt() throws Exception {
    start(ServerConfig.defaults().withAnswerer(spamWords()).withScript(Script.afterN(20, new Fault.Status(401))));

    int code = flashline("--max-in-flight", "4");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("refused the credentials (HTTP 401").doesNotContain(KEY);
  }

  @Test
  void aModelWithoutAPriceIsRefusedUpFront() throws Exception {
    start(ServerConfig.defaults());
    Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--backend", "openai", "--endpoint", server.baseUri().toString(), "--model", "my-own-model", "--api-key-file", keyFile.toString());
    assertThat(err.toString()).contains("my-own-model").contains("--prices");
    assertThat(Files.exists(temp.resolve("out").resolve("cost-report.json"))).isFalse();
  }

  @Test
  void aPricesFileReplacesTheDefault() throws Exception {
    start(ServerConfig.defaults().withAnswerer(spamWords()));
    Path prices = Files.writeString(temp.resolve("prices.yaml"), """
        schedules:
          - id: my-gpus-2026
            effective_from: 2026-01-01T00:00:00Z
            models:
              my-own-model: {cache_hit: 0.01, cache_miss: 0.05, output: 0.1}
        """);
    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "openai", "--endpoint", server.baseUri().toString(), "--model", "my-own-model",
        "--api-key-file", keyFile.toString(), "--prices", prices.toString());

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows.values()).allSatisfy(row -> {
      assertThat(row.getPriceSchedule()).isEqualTo("my-gpus-2026");
      assertThat(row.getPriceTier()).hasToString("standard");
    });
    assertCostsAddUp(rows);
  }

  @Test
  void endpointFlagsNeedTheOpenAiBackend() {
    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", Samples.JSONL.toString(), "--output", temp.resolve("out").toString(),
        "--endpoint", "http://127.0.0.1:9/v1");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("add --backend openai");
  }

  @Test
  void aCascadeSendsOnlyTheRecordsTheLocalModelIsUnsureOf() throws Exception {
    start(ServerConfig.defaults().withAnswerer(spamWords()));
    Path job = temp.resolve("cascade.yaml");
    Files.writeString(job, Files.readString(Samples.JOB) + """
        openai:
          endpoint: %s
          api_key_file: %s
        cascade:
          - stage: local
            accept_confidence: 0.98
          - stage: flash
            model: deepseek-v4-flash
        """.formatted(server.baseUri(), keyFile));

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", job.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(), "--no-progress",
        "--runner", "flink", "--parallelism", "2", "--priming", "off", "--reuse", "off");

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(RECORDS);
    List<LabelledRecord> local = rows.values().stream().filter(r -> "local".equals(r.getStage())).toList();
    List<LabelledRecord> flash = rows.values().stream().filter(r -> "flash".equals(r.getStage())).toList();
    assertThat(local.size() + flash.size()).isEqualTo(RECORDS);
    assertThat(local).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getConfidence()).isGreaterThanOrEqualTo(0.98);
      assertThat(r.getCharges()).extracting(Charge::getStage).containsExactly("local");
    });
    assertThat(flash).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getCharges()).extracting(Charge::getStage).containsExactly("local", "flash");
      assertThat(r.getComputeSeconds()).isPositive();
    });
    assertThat(server.requests()).isEqualTo(flash.size());
    assertCostsAddUp(rows);
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.stages()).extracting(CostReport.StageCost::stage).containsExactly("local", "flash");
    assertThat(report.stages().get(0).recordsAnswered()).isEqualTo(local.size());
    assertThat(report.stages().get(1).recordsAnswered()).isEqualTo(flash.size());
    assertKeyNowhere();
  }
}
