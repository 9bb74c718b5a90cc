package dev.flashline.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.openai.CacheModel;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.backend.openai.TokenUsageSent;
import dev.flashline.cli.Flashline;
import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost controls end to end through {@code flashline label}: a job of three tasks over SMS
 * messages (the sample has many repeated texts) against a real HTTP server.
 */
class CostControlsIT {
  private static final int RECORDS = 400;
  private static final String JOB =
      """
      name: sms-tasks
      backend: openai
      openai:
        api_key_env: FLASHLINE_TEST_NO_SUCH_VAR
      cost:
        batch_size: 100
        prime_settle_seconds: 0.05
      tasks:
        - name: spam
          task: classify
          gold_field: label
          labels:
            - {name: spam, description: unsolicited offers and prize claims}
            - {name: ham, description: ordinary messages between people}
        - name: tone
          task: classify
          labels: [{name: friendly}, {name: neutral}, {name: rude}]
        - name: gist
          task: summarise
          summary: {max_words: 12, max_sentences: 2}
      """;

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ChatCompletionsServer> servers = new ArrayList<>();
  private final TaskAwareAnswerer answerer = new TaskAwareAnswerer();
  private Path job;
  private Path input;

  @BeforeEach
  void setUp() throws IOException {
    job = Files.writeString(temp.resolve("job.yaml"), JOB);
    input = Samples.head(Files.createDirectories(temp.resolve("in")), RECORDS);
  }

  @AfterEach
  void tearDown() {
    servers.forEach(ChatCompletionsServer::close);
    assertThat(ChatClients.open()).as("chat clients left open").isZero();
  }

  private ChatCompletionsServer server() {
    return server(answerer);
  }

  private ChatCompletionsServer server(TaskAwareAnswerer model) {
    return server(model, CacheModel.simple());
  }

  private ChatCompletionsServer server(TaskAwareAnswerer model, CacheModel cache) {
    ChatCompletionsServer server = ChatCompletionsServer.start(
        ServerConfig.defaults().withAnswerer(model).withFixedDelay(Duration.ofMillis(20)).withCacheModel(cache));
    servers.add(server);
    return server;
  }

  private int flashline(String output, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "label", "--job", job.toString(), "--input", input.toString(), "--output", temp.resolve(output).toString(),
        "--no-progress", "--parallelism", "2", "--max-in-flight", "32"));
    // The first server is the endpoint, unless the call names one or the job lists replicas.
    if (!List.of(extra).contains("--endpoint") && !readQuietly(job).contains("replicas:")) {
      args.addAll(List.of("--endpoint", servers.get(0).baseUri().toString()));
    }
    args.addAll(List.of(extra));
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Map<String, String> texts() throws IOException {
    Map<String, String> byId = new HashMap<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : Files.readAllLines(Samples.JSONL).subList(0, RECORDS)) {
      var node = json.readTree(line);
      byId.put(node.get("id").asText(), node.get("text").asText());
    }
    return byId;
  }

  private static double chargesCost(LabelledRecord row) {
    return row.getCharges().stream().mapToDouble(Charge::getCostUsd).sum();
  }

  @Test
  void everyTaskAnswersEveryRecordOnceAndDuplicatesArePaidForOnce() throws Exception {
    ChatCompletionsServer server = server();

    assertThat(flashline("out")).as(err.toString()).isZero();

    List<LabelledRecord> rows = Outputs.labelsMatching(temp.resolve("out"), "labels-*.parquet");
    assertThat(rows).hasSize(3 * RECORDS);
    Set<String> seen = new HashSet<>();
    for (LabelledRecord row : rows) {
      assertThat(seen.add(row.getTaskName() + "/" + row.getId())).as("row %s/%s twice", row.getTaskName(), row.getId()).isTrue();
      assertThat(row.getStatus()).as(row.getError()).isEqualTo(Status.ok);
    }
    assertThat(rows.stream().map(LabelledRecord::getTaskName).collect(Collectors.toSet())).containsExactlyInAnyOrder("spam", "tone", "gist");

    // Each distinct text is asked once per task; its duplicates reuse the answer of the one asked.
    Map<String, String> texts = texts();
    long distinct = texts.values().stream().distinct().count();
    assertThat(distinct).as("the sample repeats texts").isLessThan(RECORDS);
    assertThat(answerer.firstAsks).hasSize((int) (3 * distinct));
    List<LabelledRecord> reused = rows.stream().filter(r -> r.getReusedFrom() != null).toList();
    assertThat(reused).hasSize((int) (3 * (RECORDS - distinct)));
    Map<String, LabelledRecord> byKey = rows.stream().collect(Collectors.toMap(r -> r.getTaskName() + "/" + r.getId(), r -> r));
    for (LabelledRecord row : reused) {
      LabelledRecord payer = byKey.get(row.getTaskName() + "/" + row.getReusedFrom());
      assertThat(texts.get(row.getReusedFrom())).isEqualTo(texts.get(row.getId()));
      assertThat(payer.getReusedFrom()).isNull();
      assertThat(row.getLabel()).isEqualTo(payer.getLabel());
      assertThat(row.getSummary()).isEqualTo(payer.getSummary());
      assertThat(row.getCostUsd()).isZero();
      assertThat(row.getCharges()).isEmpty();
    }

    // Gold labels follow the task that has a gold field.
    assertThat(rows.stream().filter(r -> r.getTaskName().equals("spam")).allMatch(r -> r.getGoldLabel() != null)).isTrue();
    assertThat(rows.stream().filter(r -> !r.getTaskName().equals("spam")).allMatch(r -> r.getGoldLabel() == null)).isTrue();

    // Every cent the server billed is on some row, primers included, and the report agrees.
    TokenUsageSent sent = server.deliveredUsage();
    assertThat(rows.stream().mapToLong(LabelledRecord::getCacheHitTokens).sum()).isEqualTo(sent.hit());
    assertThat(rows.stream().mapToLong(LabelledRecord::getCacheMissTokens).sum()).isEqualTo(sent.miss());
    assertThat(rows.stream().mapToLong(LabelledRecord::getOutputTokens).sum()).isEqualTo(sent.completion());
    for (LabelledRecord row : rows) {
      assertThat(row.getCostUsd()).isCloseTo(chargesCost(row), Offset.offset(1e-15));
    }
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.records()).isEqualTo(3L * RECORDS);
    assertThat(report.costUsd()).isCloseTo(rows.stream().mapToDouble(LabelledRecord::getCostUsd).sum(), Offset.offset(1e-12));
  }

  @Test
  void primedGroupsHitTheCacheWhereArrivalOrderColdStarts() throws Exception {
    // A server that caches the way DeepSeek documents it: units at request boundaries, a common
    // prefix only after two requests carried it, usable only once the cache has been built.
    CacheModel deepSeek = CacheModel.deepSeek(Duration.ofMillis(30), Duration.ofHours(1));
    ChatCompletionsServer naiveServer = server(answerer, deepSeek);
    assertThat(flashline("naive", "--endpoint", naiveServer.baseUri().toString(), "--grouping", "off", "--priming", "off", "--reuse", "off"))
        .as(err.toString()).isZero();
    List<LabelledRecord> naive = Outputs.labelsMatching(temp.resolve("naive"), "labels-*.parquet");

    ChatCompletionsServer groupedServer = server(answerer, deepSeek);
    assertThat(flashline("grouped", "--endpoint", groupedServer.baseUri().toString(), "--priming", "always", "--reuse", "off"))
        .as(err.toString()).isZero();
    List<LabelledRecord> grouped = Outputs.labelsMatching(temp.resolve("grouped"), "labels-*.parquet");

    // Requests that found nothing of their prompt in the cache: arrival order sends a whole
    // wave of each prompt before any has warmed it; a primed group sends it after the primer.
    long coldNaive = naive.stream().filter(r -> firstAsk(r).getCacheHitTokens() == 0).count();
    long coldGrouped = grouped.stream().filter(r -> firstAsk(r).getCacheHitTokens() == 0).count();
    assertThat(coldNaive).as("cold requests in arrival order").isGreaterThanOrEqualTo(16);
    assertThat(coldGrouped).as("cold requests after primers").isLessThan(coldNaive / 4);
    assertThat(hitRatio(grouped)).as("cache-hit ratio primed vs arrival order").isGreaterThan(hitRatio(naive));

    // Primers: one or more per prompt, each billed to exactly one row, with what it saved.
    assertThat(answerer.primers).isNotEmpty();
    assertThat(new HashSet<>(answerer.primers)).hasSize(3);
    List<Charge> primerCharges = grouped.stream().flatMap(r -> r.getCharges().stream()).filter(c -> "primer".equals(c.getPurpose())).toList();
    assertThat(primerCharges).hasSize(answerer.primers.size());
    assertThat(primerCharges).allSatisfy(c -> {
      assertThat(c.getSavedUsd()).isPositive();
      assertThat(c.getCostUsd()).isPositive();
    });
    assertThat(naive.stream().flatMap(r -> r.getCharges().stream()).noneMatch(c -> "primer".equals(c.getPurpose()))).isTrue();
    // Primer tokens are on the rows too: rows add up to what the server billed.
    assertThat(grouped.stream().mapToLong(LabelledRecord::getCacheMissTokens).sum()).isEqualTo(groupedServer.deliveredUsage().miss());
    CostReport report = CostReport.read(temp.resolve("grouped").resolve("cost-report.json"));
    assertThat(report.savings().primers()).isEqualTo(answerer.primers.size());
    assertThat(report.savings().primerSavedUsd()).isGreaterThan(report.savings().primerCostUsd());
  }

  private static Charge firstAsk(LabelledRecord row) {
    return row.getCharges().stream().filter(c -> c.getAttempt() > 0).findFirst().orElseThrow();
  }

  private static double hitRatio(List<LabelledRecord> rows) {
    long hit = rows.stream().mapToLong(LabelledRecord::getCacheHitTokens).sum();
    long miss = rows.stream().mapToLong(LabelledRecord::getCacheMissTokens).sum();
    return (double) hit / (hit + miss);
  }

  @Test
  void aRerunWithTheResultStorePaysForNothing() throws Exception {
    server();
    Path store = temp.resolve("store");
    assertThat(flashline("first", "--result-store", store.toString())).as(err.toString()).isZero();
    int asked = answerer.systemPrompts.size();
    answerer.systemPrompts.clear();

    assertThat(flashline("second", "--result-store", store.toString())).as(err.toString()).isZero();

    assertThat(asked).isPositive();
    assertThat(answerer.systemPrompts).isEmpty();
    List<LabelledRecord> first = Outputs.labelsMatching(temp.resolve("first"), "labels-*.parquet");
    List<LabelledRecord> second = Outputs.labelsMatching(temp.resolve("second"), "labels-*.parquet");
    assertThat(second).hasSize(3 * RECORDS);
    assertThat(second).allSatisfy(r -> {
      assertThat(r.getReusedFrom()).isNotNull();
      assertThat(r.getCostUsd()).isZero();
    });
    Map<String, String> before = first.stream().collect(Collectors.toMap(r -> r.getTaskName() + "/" + r.getId(), r -> String.valueOf(r.getLabel()) + String.valueOf(r.getSummary())));
    Map<String, String> after = second.stream().collect(Collectors.toMap(r -> r.getTaskName() + "/" + r.getId(), r -> String.valueOf(r.getLabel()) + String.valueOf(r.getSummary())));
    assertThat(after).isEqualTo(before);
    CostReport report = CostReport.read(temp.resolve("second").resolve("cost-report.json"));
    assertThat(report.costUsd()).isZero();
  }

  @Test
  void theBudgetStopsSendingBeforeTheCapAndTheRestFailWithBudget() throws Exception {
    ChatCompletionsServer server = server();
    // Each of the two workers brings half: room for well over one worst-case request each, and
    // for far fewer than the 1,200 requests the job would send.
    double cap = 0.005;

    assertThat(flashline("out", "--max-cost", Double.toString(cap), "--reuse", "off")).as(err.toString()).isZero();

    List<LabelledRecord> rows = Outputs.labelsMatching(temp.resolve("out"), "labels-*.parquet");
    assertThat(rows).hasSize(3 * RECORDS);
    double spent = rows.stream().mapToDouble(LabelledRecord::getCostUsd).sum();
    assertThat(spent).isPositive().isLessThanOrEqualTo(cap);
    List<LabelledRecord> stopped = rows.stream().filter(r -> r.getStatus() == Status.failed).toList();
    assertThat(stopped).isNotEmpty();
    assertThat(stopped).allSatisfy(r -> assertThat(r.getError()).startsWith("budget: "));
    // A record never sent cost nothing; one whose correction was refused keeps its first request's cost.
    assertThat(stopped.stream().filter(r -> r.getAttempts() == 0)).isNotEmpty().allSatisfy(r -> assertThat(r.getCostUsd()).isZero());
    assertThat(rows.stream().filter(r -> r.getStatus() == Status.ok).count()).isPositive();
    assertThat(server.requests()).isLessThan(3 * RECORDS);
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.failureReasons()).containsKey("budget");
    assertThat(out.toString()).contains("budget");
  }

  @Test
  void withReplicasEachPromptGoesToOneReplicaOnly() throws Exception {
    TaskAwareAnswerer modelA = new TaskAwareAnswerer();
    TaskAwareAnswerer modelB = new TaskAwareAnswerer();
    ChatCompletionsServer a = server(modelA);
    ChatCompletionsServer b = server(modelB);
    job = Files.writeString(temp.resolve("job.yaml"), JOB.replace("  api_key_env: FLASHLINE_TEST_NO_SUCH_VAR",
        "  api_key_env: FLASHLINE_TEST_NO_SUCH_VAR\n  replicas: [" + a.baseUri() + ", " + b.baseUri() + "]"));

    assertThat(flashline("out")).as(err.toString()).isZero();

    List<LabelledRecord> rows = Outputs.labelsMatching(temp.resolve("out"), "labels-*.parquet");
    assertThat(rows).hasSize(3 * RECORDS);
    assertThat(rows).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(Status.ok));
    Set<String> promptsA = new HashSet<>(modelA.systemPrompts);
    Set<String> promptsB = new HashSet<>(modelB.systemPrompts);
    // Disjoint, not "A lacks every element of B": with random ports all three prompts may hash to
    // one replica, and AssertJ refuses an empty set to look for (a quarter of runs failed so).
    assertThat(java.util.Collections.disjoint(promptsA, promptsB)).as("A %s, B %s", promptsA, promptsB).isTrue();
    Set<String> all = new HashSet<>(promptsA);
    all.addAll(promptsB);
    assertThat(all).hasSize(3);
    // Primers go where their prompt's requests go.
    assertThat(new HashSet<>(modelA.primers)).isSubsetOf(promptsA);
    assertThat(new HashSet<>(modelB.primers)).isSubsetOf(promptsB);
  }
}
