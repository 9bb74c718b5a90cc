package dev.flashline.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.task.OpenAiSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks an endpoint, before a job starts, whether it is there and takes our key, with the free
 * {@code GET /models}: a wrong URL or a rejected key then stops the job before it reads a record,
 * instead of failing every record or stopping midway.
 */
public final class EndpointProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  /** What the endpoint said. {@code models} is empty when it does not list them. */
  public record Result(List<String> models, String warning) {}

  /** The endpoint cannot be used: the job must not start. */
  public static final class ProbeException extends Exception {
    ProbeException(String message) {
      super(message);
    }
  }

  private EndpointProbe() {}

  public static Result probe(OpenAiSpec spec) throws ProbeException {
    ApiKey key;
    try {
      key = ApiKey.resolve(spec);
    } catch (IllegalArgumentException e) {
      throw new ProbeException(e.getMessage());
    }
    if (!key.present() && spec.endpoint().contains("api.deepseek.com")) {
      throw new ProbeException(
          "the DeepSeek API needs an API key: set $" + spec.apiKeyEnv() + " or openai.api_key_file (or --api-key-file)");
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(spec.modelsUri()).timeout(TIMEOUT).GET();
    if (key.present()) {
      request.header("Authorization", key.authorization());
    }
    HttpResponse<String> response;
    try {
      response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).get(TIMEOUT.toSeconds() * 2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeException("interrupted while checking " + spec.endpoint());
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ProbeException(
          "cannot reach " + spec.endpoint() + ": " + key.redact(cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : " " + cause.getMessage())));
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new ProbeException(
          spec.endpoint() + " refused the API key (HTTP " + status + "); it came from " + key.source());
    }
    if (status != 200) {
      return new Result(List.of(), spec.modelsUri() + " answered HTTP " + status + "; going ahead without checking the model names");
    }
    List<String> models = new ArrayList<>();
    try {
      JsonNode data = JSON.readTree(response.body()).path("data");
      for (JsonNode model : data) {
        Optional.ofNullable(model.path("id").textValue()).ifPresent(models::add);
      }
    } catch (IOException e) {
      return new Result(List.of(), spec.modelsUri() + " did not answer with a model list; going ahead without checking the model names");
    }
    return new Result(models, null);
  }
}
