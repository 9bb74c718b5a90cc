package dev.flashline.pipeline;

import dev.flashline.backend.openai.EndpointProbe;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.UnpricedModelException;
import dev.flashline.task.BackendKind;
import dev.flashline.task.JobSpec;
import dev.flashline.task.StageSpec;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Checks, before anything runs, what would otherwise fail every record: each model the job may
 * ask has a price now, the API key can be found, and the endpoint answers and accepts it.
 */
final class EndpointPreflight {
  private EndpointPreflight() {}

  static void check(LabelRequest request, PrintWriter log) throws JobSetupException {
    JobSpec job = request.job();
    if (!job.usesOpenAi()) {
      return;
    }
    Set<String> models = job.openAiModels();
    PriceSchedule prices = request.prices();
    Instant now = request.clock().instant();
    for (String model : models) {
      try {
        prices.priceAt(model, now);
      } catch (UnpricedModelException e) {
        throw new JobSetupException(e.getMessage());
      }
    }
    // Every replica must answer: a dead one would fail each prefix it owns.
    EndpointProbe.Result result = null;
    for (String endpoint : job.openai().endpoints()) {
      try {
        result = EndpointProbe.probe(job.openai().endpoints().size() == 1 ? job.openai() : job.openai().forEndpoint(endpoint));
      } catch (EndpointProbe.ProbeException e) {
        throw new JobSetupException(e.getMessage());
      }
    }
    if (result.warning() != null) {
      log.println("flashline: warning: " + result.warning());
    }
    if (!result.models().isEmpty()) {
      for (String model : models) {
        if (!result.models().contains(model)) {
          log.println(
              "flashline: warning: " + job.openai().endpoint() + " does not list model '" + model + "' (it lists "
                  + String.join(", ", result.models()) + "); requests for it may be refused");
        }
      }
    }
    log.flush();
  }
}
