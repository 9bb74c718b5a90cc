package dev.flashline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.openai.CacheModel;
import dev.flashline.backend.openai.ChatCompletionsServer;
import dev.flashline.backend.openai.ServerConfig;
import dev.flashline.cli.Flashline;
import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.grouping.TaskAwareAnswerer;
import dev.flashline.pipeline.Outputs;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import dev.flashline.task.PromptLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the cost controls save on a multi-template workload, against the test server in its
 * DeepSeek cache mode: cache-hit ratio and cost per 1,000 records for arrival order, grouping,
 * and grouping + priming + reuse, with the ideal hit ratio beside them, and the estimate's
 * prediction against the measured cost. Prints Markdown for docs/benchmarks.md.
 *
 * <p>Arguments: job.yaml input in-flight delay-ms build-ms [estimate.json]
 */
public final class CostControlsBench {
  private CostControlsBench() {}

  record Config(String name, List<String> flags) {}

  public static void main(String[] args) throws Exception {
    Path job = Path.of(args[0]);
    Path input = Path.of(args[1]);
    int inFlight = Integer.parseInt(args[2]);
    int delayMs = Integer.parseInt(args[3]);
    int buildMs = Integer.parseInt(args[4]);
    Path estimate = args.length > 5 ? Path.of(args[5]) : null;
    JobSpec spec = JobSpecLoader.load(job);
    Map<String, Integer> prefixTokens = new HashMap<>();
    for (JobSpec task : spec.taskJobs()) {
      PromptLayout layout = PromptLayout.of(task);
      prefixTokens.put(task.name(), DeepSeekTokenizer.instance()
          .render(List.of(ChatMessage.system(layout.staticPrefix()), ChatMessage.user(""))).userInputEnds()[0]);
    }
    List<Config> configs = List.of(
        new Config("arrival order", List.of("--grouping", "off", "--priming", "off", "--reuse", "off")),
        new Config("grouping", List.of("--grouping", "on", "--priming", "off", "--reuse", "off")),
        new Config("grouping + priming + reuse", List.of("--grouping", "on", "--priming", "auto", "--reuse", "on")));
    Path work = Files.createTempDirectory("cost-controls-bench");
    System.out.println("| run | records | rows | requests | primers | reused | hit ratio | ideal | of ideal | cost USD | per 1k records | seconds |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    double lastCost = 0;
    String lastTier = null;
    long records = 0;
    for (Config config : configs) {
      TaskAwareAnswerer model = new TaskAwareAnswerer();
      try (ChatCompletionsServer server = ChatCompletionsServer.start(ServerConfig.defaults()
          .withAnswerer(model)
          .withFixedDelay(Duration.ofMillis(delayMs))
          .withCacheModel(CacheModel.deepSeek(Duration.ofMillis(buildMs), Duration.ofHours(1))))) {
        Path out = work.resolve(config.name().replaceAll("[^a-z]+", "-"));
        List<String> cli = new ArrayList<>(List.of("label", "--job", job.toString(), "--input", input.toString(),
            "--output", out.toString(), "--no-progress", "--endpoint", server.baseUri().toString(),
            "--api-key-env", "FLASHLINE_BENCH_NO_KEY", "--max-in-flight", Integer.toString(inFlight), "--parallelism", "2"));
        cli.addAll(config.flags());
        StringWriter err = new StringWriter();
        long start = System.nanoTime();
        int code = Flashline.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), cli.toArray(String[]::new));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != 0) {
          throw new IllegalStateException(config.name() + " failed (" + code + "): " + err);
        }
        List<LabelledRecord> rows = Outputs.labelsMatching(out, "labels-*.parquet");
        records = rows.stream().map(LabelledRecord::getId).distinct().count();
        long hit = 0;
        long prompt = 0;
        long idealHit = 0;
        long idealPrompt = 0;
        long requests = 0;
        long primers = 0;
        double cost = 0;
        for (LabelledRecord row : rows) {
          cost += row.getCostUsd();
          for (Charge charge : row.getCharges()) {
            long tokens = charge.getCacheHitTokens() + charge.getCacheMissTokens();
            hit += charge.getCacheHitTokens();
            prompt += tokens;
            if ("primer".equals(charge.getPurpose())) {
              primers++;
              continue;
            }
            if (charge.getAttempt() > 0) {
              requests++;
              // Ideal: every request the job had to send hits its whole prompt prefix, no primer.
              idealHit += Math.min(tokens, prefixTokens.get(row.getTaskName()));
              idealPrompt += tokens;
            }
          }
        }
        long reused = rows.stream().filter(r -> r.getReusedFrom() != null).count();
        double ratio = (double) hit / prompt;
        double ideal = (double) idealHit / idealPrompt;
        System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %.1f%% | %.1f%% | %.1f%% | %.6f | %.6f | %.1f |%n",
            config.name(), records, rows.size(), requests, primers, reused, 100 * ratio, 100 * ideal, 100 * ratio / ideal,
            cost, cost * 1000 / records, seconds);
        lastCost = cost;
        lastTier = rows.stream().flatMap(r -> r.getCharges().stream()).map(c -> c.getPriceTier().name())
            .collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.stream.Collectors.counting()))
            .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("standard");
      }
    }
    if (estimate != null && Files.exists(estimate)) {
      JsonNode json = new ObjectMapper().readTree(estimate.toFile());
      String model = spec.openai().model();
      JsonNode primed = json.path("scenarios").path("grouped_primed");
      double predicted = primed.path("costs").path(model).path(lastTier).asDouble(Double.NaN);
      System.out.println();
      System.out.println("| | hit ratio | cost USD (" + model + ", " + lastTier + ") |");
      System.out.println("|---|---:|---:|");
      System.out.printf(Locale.ROOT, "| estimate, grouped + primed | %.1f%% | %.6f |%n", 100 * primed.path("hit_ratio").asDouble(), predicted);
      System.out.printf(Locale.ROOT, "| measured, grouping + priming + reuse | | %.6f |%n", lastCost);
      System.out.printf(Locale.ROOT, "| estimate / measured | | %.3f |%n", predicted / lastCost);
    }
  }
}
