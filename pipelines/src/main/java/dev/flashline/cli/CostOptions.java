package dev.flashline.cli;

import dev.flashline.task.CostSpec;
import dev.flashline.task.JobSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The cost-control flags shared by {@code label} and {@code stream}; each overrides the job
 * spec's {@code cost:} section (docs/cost-controls.md).
 */
final class CostOptions {
  @Option(
      names = "--max-cost",
      paramLabel = "USD",
      description = "Stop sending before the projected spend (requests in flight included) would cross this many US dollars;"
          + " the rest fail with reason 'budget'.")
  Double maxCost;

  @Option(
      names = "--result-store",
      paramLabel = "DIR",
      description = "Keep answers by content hash in DIR and reuse them, so a rerun or resumed job does not pay twice.")
  Path resultStore;

  @Option(
      names = "--grouping",
      paramLabel = "on|off",
      description = "Send requests that share a prompt prefix together (default: on).")
  String grouping;

  @Option(
      names = "--priming",
      paramLabel = "auto|always|off",
      description = "Warm a cold prefix with one short request before sending its group (default: auto, when it pays).")
  CostSpec.Priming priming;

  @Option(
      names = "--reuse",
      paramLabel = "on|off",
      description = "Ask identical documents once per task; duplicates reuse the answer at no cost (default: on).")
  String reuse;

  JobSpec apply(JobSpec job) {
    CostSpec cost = job.cost();
    if (maxCost != null) {
      if (!(maxCost >= 0) || maxCost.isInfinite()) {
        throw new IllegalArgumentException("--max-cost must be a number of US dollars >= 0, got " + maxCost);
      }
      cost = cost.withMaxCostUsd(maxCost);
    }
    if (resultStore != null) {
      cost = cost.withResultStore(resultStore.toAbsolutePath().toString());
    }
    if (grouping != null) {
      cost = cost.withGrouping(onOff("--grouping", grouping));
    }
    if (priming != null) {
      cost = cost.withPriming(priming);
    }
    if (reuse != null) {
      cost = cost.withReuse(onOff("--reuse", reuse));
    }
    return job.withCost(cost);
  }

  private static boolean onOff(String flag, String value) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(flag + " takes on or off, got '" + value + "'");
    };
  }
}
