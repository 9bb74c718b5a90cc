package dev.flashline.estimate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flashline.estimate.CachePrediction.Scenario;
import dev.flashline.estimate.CostEstimate.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link CostEstimate} as a table, and writes it as JSON. */
public final class EstimateTable {
  /** What the estimate leaves out, printed under the table and written to the JSON. */
  public static final List<String> NOTES = List.of(
      "No model was called: tokens are counted with the DeepSeek tokenizer, cache hits predicted (docs/estimate.md).",
      "Corrective retries (an unusable answer asked again) are counted as zero; so are failed and retried requests.",
      "Later cascade stages (a record the first endpoint stage passes on to another model) are not priced.",
      "The local model's compute is priced at about zero here; the run's report bills its CPU seconds.");

  private EstimateTable() {}

  /** Facts about the run that are not in the estimate itself. */
  public record Header(String job, String input, long records, long unmappable, String firstUnmappable, long documents,
      long distinct, long duplicates, boolean reuse, boolean localRun, Integer outputTokensOverride) {}

  public static String label(Scenario scenario) {
    return switch (scenario) {
      case arrival_order -> "arrival order";
      case grouped -> "grouped";
      case grouped_primed -> "grouped + primed";
      case ideal -> "ideal (all prefix hits)";
    };
  }

  public static void print(Header h, CostEstimate e, PrintWriter out) {
    out.printf(Locale.ROOT, "Estimate for job '%s' on %s (no model was called)%n", h.job(), h.input());
    out.printf(Locale.ROOT, "Records read: %,d; failing to map (skipped): %,d; documents: %,d, distinct: %,d (%,d duplicate%s%s)%n",
        h.records(), h.unmappable(), h.documents(), h.distinct(), h.duplicates(), h.duplicates() == 1 ? "" : "s",
        h.reuse() ? ", asked once" : ", each asked: cost.reuse is off");
    if (h.firstUnmappable() != null) {
      out.println("  first skipped: " + h.firstUnmappable());
    }
    out.printf(Locale.ROOT, "Prices: entry '%s' (in force now); requests in flight: %d; shared document lead: %d tokens%n",
        e.prices().entryId(), e.inFlight(), e.lead());
    if (!e.prices().unpriced().isEmpty()) {
      out.println("Not priced by that entry (left out): " + String.join(", ", e.prices().unpriced()));
    }
    out.println();
    out.printf(Locale.ROOT, "%-20s %-9s %-20s %10s %8s %8s %9s %9s  %s%n",
        "Task", "Type", "Model", "Requests", "Prefix", "Unit64", "Mean doc", "Output/r", "Local cascade");
    for (TaskLoad t : e.tasks()) {
      out.printf(Locale.ROOT, "%-20s %-9s %-20s %,10d %,8d %,8d %9.1f %9.1f  %s%n",
          t.name(), t.task(), t.model(), t.requests(), t.prefixTokens(), CachePrediction.commonUnit(t.prefixTokens(), e.lead()),
          t.meanDocumentTokens(), t.meanOutputTokens(), cascade(t));
    }
    out.println("  Prefix: tokens every request of the task shares; Unit64: the common-prefix unit (prefix + lead, down to a multiple of 64);");
    out.println("  Mean doc: a document's own prompt tokens; Output/r: " + (h.outputTokensOverride() != null
        ? "--output-tokens " + h.outputTokensOverride() : "estimated output tokens per request") + ".");
    out.println();

    List<String[]> columns = new ArrayList<>(); // {model or null, tier}
    for (String model : e.prices().models().keySet()) {
      for (String tier : e.prices().models().get(model).keySet()) {
        columns.add(new String[] {model, tier});
      }
    }
    boolean mixed = e.tasks().stream().map(TaskLoad::model).distinct().count() > 1;
    if (mixed && !e.withoutCascade().get(Scenario.ideal).asConfigured().isEmpty()) {
      for (String tier : e.prices().tiers()) {
        columns.add(new String[] {null, tier});
      }
    }
    out.printf(Locale.ROOT, "Cost in USD: total / per 1,000 records (%,d records)%n", e.records());
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-34s %6s", "Scenario", "Hits"));
    for (String[] c : columns) {
      head.append(String.format(Locale.ROOT, " %24s", (c[0] == null ? "as configured" : c[0]) + " " + c[1].replace('_', '-')));
    }
    out.println(head);
    for (boolean withCascade : new boolean[] {false, true}) {
      for (Scenario s : Scenario.values()) {
        Result r = e.result(s, withCascade);
        String name = label(s) + (s == e.jobScenario() ? " [job]" : "") + (withCascade ? ", cascade" : "");
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-34s %5.1f%%", name, 100 * r.hitRatio()));
        for (String[] c : columns) {
          Double usd = c[0] == null ? r.asConfigured().get(c[1]) : r.costs().get(c[0]).get(c[1]);
          row.append(String.format(Locale.ROOT, " %24s", money(usd, e.records())));
        }
        out.println(row);
      }
    }
    out.println("  Hits: predicted cache-hit tokens / prompt tokens (primers included). [job]: the scenario the job's cost settings choose.");
    out.println("  cascade: only the documents a local first stage would pass on are sent"
        + (h.localRun() ? " (share measured on a sample, see the task table)." : " (not measured: --no-local; same as without)."));
    for (String note : NOTES) {
      out.println("Note: " + note);
    }
    out.flush();
  }

  private static String cascade(TaskLoad t) {
    TaskLoad.Cascade c = t.cascade();
    if (t.task() != dev.flashline.schema.TaskType.classify) {
      return "n/a (summaries)";
    }
    String bar = String.format(Locale.ROOT, "below %.2f%s", c.threshold(), c.whatIf() ? " (what-if)" : "");
    if (!c.measured()) {
      return "not measured, " + bar;
    }
    return String.format(Locale.ROOT, "%.1f%% %s, sample %d", 100 * c.escalatedShare(), bar, c.sample());
  }

  private static String money(Double usd, long records) {
    if (usd == null) {
      return "-";
    }
    double per = records == 0 ? 0 : usd / records * 1000;
    return String.format(Locale.ROOT, "%.4f / %.4f", usd, per);
  }

  /** The same numbers as a JSON tree. */
  public static Map<String, Object> json(Header h, CostEstimate e) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("job", h.job());
    root.put("input", h.input());
    root.put("records", h.records());
    root.put("unmappable_records", h.unmappable());
    root.put("documents", h.documents());
    root.put("distinct_documents", h.distinct());
    root.put("duplicates", h.duplicates());
    root.put("reuse", h.reuse());
    root.put("price_entry", e.prices().entryId());
    root.put("tiers", e.prices().tiers());
    root.put("unpriced_models", e.prices().unpriced());
    root.put("max_in_flight", e.inFlight());
    root.put("document_lead_tokens", e.lead());
    root.put("job_scenario", e.jobScenario().name());
    List<Object> tasks = new ArrayList<>();
    for (TaskLoad t : e.tasks()) {
      Map<String, Object> task = new LinkedHashMap<>();
      task.put("name", t.name());
      task.put("task", t.task().name());
      task.put("model", t.model());
      task.put("requests", t.requests());
      task.put("prefix_tokens", t.prefixTokens());
      task.put("common_prefix_unit_tokens", CachePrediction.commonUnit(t.prefixTokens(), e.lead()));
      task.put("document_tokens", t.documentTokens());
      task.put("mean_document_tokens", t.meanDocumentTokens());
      task.put("output_tokens", t.outputTokens());
      task.put("mean_output_tokens", t.meanOutputTokens());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("threshold", t.cascade().threshold());
      c.put("what_if", t.cascade().whatIf());
      c.put("measured", t.cascade().measured());
      c.put("sample", t.cascade().sample());
      c.put("escalated_share", t.cascade().escalatedShare());
      task.put("cascade", c);
      tasks.add(task);
    }
    root.put("tasks", tasks);
    root.put("scenarios", scenarios(e, false));
    Map<String, Object> cascade = new LinkedHashMap<>();
    cascade.put("measured", h.localRun());
    cascade.put("scenarios", scenarios(e, true));
    root.put("cascade", cascade);
    root.put("notes", NOTES);
    return root;
  }

  private static Map<String, Object> scenarios(CostEstimate e, boolean withCascade) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Scenario s : Scenario.values()) {
      Result r = e.result(s, withCascade);
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("hit_ratio", r.hitRatio());
      one.put("requests", r.requests());
      one.put("primers", r.primers());
      one.put("prompt_tokens", r.promptTokens());
      one.put("cache_hit_tokens", r.hitTokens());
      one.put("cache_miss_tokens", r.missTokens());
      one.put("output_tokens", r.outputTokens());
      one.put("costs", r.costs());
      Map<String, Object> per = new LinkedHashMap<>();
      r.costs().forEach((model, byTier) -> {
        Map<String, Double> tiers = new LinkedHashMap<>();
        byTier.forEach((tier, usd) -> tiers.put(tier, e.records() == 0 ? 0 : usd / e.records() * 1000));
        per.put(model, tiers);
      });
      one.put("costs_per_1000_records", per);
      one.put("as_configured", r.asConfigured());
      one.put("primed", r.primed());
      out.put(s.name(), one);
    }
    return out;
  }

  public static void writeJson(Header h, CostEstimate e, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json(h, e));
  }
}
