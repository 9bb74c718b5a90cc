package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.openai.Answerer;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.Exchange;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schedule.WaitClock;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import dev.flashline.schema.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flashline label --when off-peak} on a clock 600 times faster than real time, against
 * prices whose peak and off-peak windows alternate every ten minutes: the job starts in a peak
 * window, waits, sends in off-peak windows only, pauses at each window's end and resumes in the
 * next, and every record is labelled and sent exactly once.
 */
class OffPeakJobIT {
  private static final int RECORDS = 40;
  private static final double SPEED = 600; // ten virtual minutes per real second
  private static final Instant START = Instant.parse("2026-12-01T02:30:00Z"); // inside the 00:00-04:00 peak window

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private ChatCompletionsServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    assertThat(ChatClients.open()).as("chat clients left open").isZero();
  }

  /**
   * Peak from midnight to 04:00 (long enough that the job, which takes a few real seconds to
   * start, is sure to start in it), then off-peak at :00-:10, :20-:30 and :40-:50 of every hour.
   */
  private static String alternatingPrices() {
    List<String> peak = new ArrayList<>(List.of("\"00:00-04:00\""));
    for (int h = 4; h < 24; h++) {
      peak.add(String.format("\"%02d:10-%02d:20\"", h, h));
      peak.add(String.format("\"%02d:30-%02d:40\"", h, h));
      peak.add(String.format("\"%02d:50-%02d:00\"", h, h + 1));
    }
    return """
        schedules:
          - id: alternating
            effective_from: 2026-01-01T00:00:00Z
            peak_hours:
              days: [MON, TUE, WED, THU, FRI, SAT, SUN]
              utc: [%s]
            models:
              deepseek-v4-flash:
                peak:     {cache_hit: 0.014, cache_miss: 0.44, output: 1.32}
                off_peak: {cache_hit: 0.007, cache_miss: 0.22, output: 0.66}
        """.formatted(String.join(", ", peak));
  }

  @Test
  void sendsOnlyOffPeakPausesBetweenWindowsAndLabelsEveryRecordOnce() throws Exception {
    Path input = Samples.head(Files.createDirectories(temp.resolve("in")), RECORDS);
    Path prices = Files.writeString(temp.resolve("prices.yaml"), alternatingPrices());
    // The server notes when (on the job's fast clock, started alongside it) each request came.
    WaitClock clock = WaitClock.scaled(START, SPEED);
    ConcurrentLinkedQueue<Instant> received = new ConcurrentLinkedQueue<>();
    Answerer labels = Answerer.classifyByKeyword(Map.of("free", "spam", "prize", "spam", "txt", "spam"), "ham", 0.9);
    server = ChatCompletionsServer.start(
        ServerConfig.defaults()
            .withFixedDelay(Duration.ofMillis(100))
            .withAnswerer(request -> {
              received.add(clock.now());
              return labels.answer(request);
            }));

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--backend", "openai", "--endpoint", server.baseUri().toString(), "--model", "deepseek-v4-flash",
        "--max-in-flight", "2", "--parallelism", "1", "--prices", prices.toString(),
        "--when", "off-peak", "--testing-clock", START + "," + SPEED);

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("waiting for the off-peak window at 2026-12-01T04:00:00Z");

    // Every record labelled exactly once, each in one request, all of them priced off-peak; a
    // primer, when one warmed the prompt, was sent off-peak too (it passes the same gate).
    List<LabelledRecord> rows = Outputs.labelsMatching(temp.resolve("out"), "labels-*.parquet");
    assertThat(rows).hasSize(RECORDS);
    assertThat(rows.stream().map(LabelledRecord::getId).distinct().count()).isEqualTo(RECORDS);
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      assertThat(row.getCharges().stream().filter(c -> c.getPurpose() == null)).hasSize(1);
      assertThat(row.getCharges()).extracting(Charge::getPriceTier).containsOnly(PriceTier.off_peak);
    });
    long primers = rows.stream().flatMap(r -> r.getCharges().stream()).filter(c -> "primer".equals(c.getPurpose())).count();
    assertThat(rows.stream().mapToInt(LabelledRecord::getAttempts).sum()).isEqualTo(RECORDS + primers);

    // The server saw each record's request once (and each primer, whose document is empty).
    List<Exchange> log = server.log().stream().filter(e -> !e.document().isEmpty()).toList();
    assertThat(server.log()).hasSize((int) (RECORDS + primers));
    assertThat(log).hasSize(RECORDS);
    Map<String, Long> perDocument = log.stream().collect(Collectors.groupingBy(Exchange::document, Collectors.counting()));
    assertThat(perDocument.values()).containsOnly(1L);
    assertThat(perDocument).hasSize(RECORDS);

    // The requests came in more than one off-peak window: the job paused and resumed.
    Set<Long> windows = new TreeSet<>();
    for (Instant at : received) {
      windows.add(at.getEpochSecond() / (20 * 60));
    }
    assertThat(windows).as("20-minute periods requests arrived in: %s", received).hasSizeGreaterThan(1);

    // The report: all spend off-peak, and the same tokens at peak prices cost twice as much.
    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.spendByTier()).extracting(CostReport.TierSpend::tier).containsExactly("off_peak");
    assertThat(report.spendByTier().get(0).requests()).isEqualTo(RECORDS + primers);
    assertThat(report.costUsd()).isPositive();
    assertThat(report.costAtPeakUsd()).isCloseTo(2 * report.costUsd(), Offset.offset(1e-12));
    assertThat(out.toString()).contains("at peak prices the same work would have cost");
  }

  @Test
  void aLocalOnlyJobIgnoresOffPeakAndSaysWhy() throws Exception {
    Path input = Samples.head(Files.createDirectories(temp.resolve("in")), 20);

    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(),
        "--no-progress", "--backend", "local", "--parallelism", "1", "--when", "off-peak",
        "--testing-clock", START + ",1");

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("--when off-peak ignored: this job's backend is local only");
    assertThat(Outputs.labels(temp.resolve("out"))).hasSize(20);
  }

  @Test
  void aBadWhenIsAUsageError() {
    int code = Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        "label", "--job", Samples.JOB.toString(), "--input", "x", "--output", temp.resolve("out").toString(), "--when", "tonight");

    assertThat(code).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains("--when must be now or off-peak, got 'tonight'");
  }
}
