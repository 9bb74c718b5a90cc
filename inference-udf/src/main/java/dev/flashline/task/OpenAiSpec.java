package dev.flashline.task;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How to reach an OpenAI-compatible chat-completions endpoint (the DeepSeek API, vLLM, SGLang)
 * and how hard to push it. Holds where the API key comes from, never the key itself, so the spec
 * can travel inside serialized pipelines and be logged.
 *
 * @param endpoint base URL; requests go to {@code <endpoint>/chat/completions}
 * @param model model name sent with each request (a cascade stage may name another)
 * @param apiKeyEnv environment variable holding the API key
 * @param apiKeyFile file whose first line is the API key; wins over {@code apiKeyEnv}
 * @param maxInFlight requests in flight at once over the whole job, all workers together
 * @param requestTimeoutSeconds wall-clock deadline of one request, from send to the last byte.
 *     The DeepSeek API keeps queued requests alive with blank lines, so a read timeout never
 *     fires; only a deadline bounds a request.
 * @param maxAttempts tries per request when the server is overloaded or fails (429, 5xx,
 *     resets, deadline), the first included
 * @param maxOutputTokens {@code max_tokens} of each request; null lets the task choose
 * @param requestOptions extra fields merged into every request body (for example DeepSeek's
 *     {@code thinking: {type: disabled}}); they cannot replace model, messages or response_format
 * @param replicas base URLs of several self-hosted servers behind one job; when given, each
 *     prompt prefix is always sent to the same one of them (prefix affinity) and {@code endpoint}
 *     is only the default of the first
 */
public record OpenAiSpec(
    String endpoint,
    String model,
    String apiKeyEnv,
    String apiKeyFile,
    Integer maxInFlight,
    Double requestTimeoutSeconds,
    Integer maxAttempts,
    Integer maxOutputTokens,
    Map<String, Object> requestOptions,
    java.util.List<String> replicas)
    implements Serializable {
  public static final String DEFAULT_ENDPOINT = "https://api.deepseek.com";
  public static final String DEFAULT_MODEL = "deepseek-v4-flash";
  public static final String DEFAULT_API_KEY_ENV = "DEEPSEEK_API_KEY";
  public static final int DEFAULT_MAX_IN_FLIGHT = 256;
  public static final double DEFAULT_REQUEST_TIMEOUT_SECONDS = 300;
  public static final int DEFAULT_MAX_ATTEMPTS = 8;
  private static final java.util.Set<String> RESERVED = java.util.Set.of("model", "messages", "response_format", "stream");

  @com.fasterxml.jackson.annotation.JsonCreator
  public OpenAiSpec {
    replicas = replicas == null ? java.util.List.of() : replicas.stream().map(r -> {
          if (r == null || r.isBlank()) {
            throw new IllegalArgumentException("openai.replicas: an entry is empty");
          }
          return new OpenAiSpec(r, null, null, null, null, null, null, null, null).endpoint();
        }).distinct().toList();
    if (!replicas.isEmpty() && (endpoint == null || endpoint.isBlank())) {
      endpoint = replicas.get(0);
    }
    endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : stripSlash(endpoint.strip());
    try {
      URI uri = new URI(endpoint);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("openai.endpoint must be an http(s) URL, got '" + endpoint + "'");
      }
      if (uri.getUserInfo() != null) {
        throw new IllegalArgumentException("openai.endpoint must not carry credentials; use api_key_env or api_key_file");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("openai.endpoint is not a URL: " + e.getMessage());
    }
    model = model == null || model.isBlank() ? DEFAULT_MODEL : model.strip();
    apiKeyEnv = apiKeyEnv == null || apiKeyEnv.isBlank() ? DEFAULT_API_KEY_ENV : apiKeyEnv.strip();
    apiKeyFile = apiKeyFile == null || apiKeyFile.isBlank() ? null : apiKeyFile.strip();
    maxInFlight = Objects.requireNonNullElse(maxInFlight, DEFAULT_MAX_IN_FLIGHT);
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw new IllegalArgumentException("openai.max_in_flight must be between 1 and 100000, got " + maxInFlight);
    }
    requestTimeoutSeconds = Objects.requireNonNullElse(requestTimeoutSeconds, DEFAULT_REQUEST_TIMEOUT_SECONDS);
    if (!(requestTimeoutSeconds > 0) || requestTimeoutSeconds > 3600) {
      throw new IllegalArgumentException(
          "openai.request_timeout_seconds must be in (0, 3600], got " + requestTimeoutSeconds);
    }
    maxAttempts = Objects.requireNonNullElse(maxAttempts, DEFAULT_MAX_ATTEMPTS);
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("openai.max_attempts must be between 1 and 100, got " + maxAttempts);
    }
    if (maxOutputTokens != null && maxOutputTokens < 1) {
      throw new IllegalArgumentException("openai.max_output_tokens must be at least 1, got " + maxOutputTokens);
    }
    requestOptions = requestOptions == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(requestOptions));
    for (String key : requestOptions.keySet()) {
      if (RESERVED.contains(key)) {
        throw new IllegalArgumentException(
            "openai.request_options." + key + " is set by flashline and cannot be overridden");
      }
    }
  }

  public OpenAiSpec(
      String endpoint, String model, String apiKeyEnv, String apiKeyFile, Integer maxInFlight,
      Double requestTimeoutSeconds, Integer maxAttempts, Integer maxOutputTokens, Map<String, Object> requestOptions) {
    this(endpoint, model, apiKeyEnv, apiKeyFile, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, null);
  }

  /** The servers requests go to: the replicas, or the one endpoint. */
  public java.util.List<String> endpoints() {
    return replicas.isEmpty() ? java.util.List.of(endpoint) : replicas;
  }

  /** This spec aimed at one server (a replica's client). */
  public OpenAiSpec forEndpoint(String value) {
    return new OpenAiSpec(value, model, apiKeyEnv, apiKeyFile, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, null);
  }

  public static OpenAiSpec defaults() {
    return new OpenAiSpec(null, null, null, null, null, null, null, null, null);
  }

  /** One endpoint: replicas from the spec are dropped (a command-line endpoint wins). */
  public OpenAiSpec withEndpoint(String value) {
    return new OpenAiSpec(value, model, apiKeyEnv, apiKeyFile, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, null);
  }

  public OpenAiSpec withModel(String value) {
    return new OpenAiSpec(endpoint, value, apiKeyEnv, apiKeyFile, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, replicas);
  }

  public OpenAiSpec withApiKeyEnv(String value) {
    return new OpenAiSpec(endpoint, model, value, apiKeyFile, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, replicas);
  }

  public OpenAiSpec withApiKeyFile(String value) {
    return new OpenAiSpec(endpoint, model, apiKeyEnv, value, maxInFlight, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, replicas);
  }

  public OpenAiSpec withMaxInFlight(Integer value) {
    return new OpenAiSpec(endpoint, model, apiKeyEnv, apiKeyFile, value, requestTimeoutSeconds, maxAttempts, maxOutputTokens, requestOptions, replicas);
  }

  public OpenAiSpec withRequestTimeoutSeconds(Double value) {
    return new OpenAiSpec(endpoint, model, apiKeyEnv, apiKeyFile, maxInFlight, value, maxAttempts, maxOutputTokens, requestOptions, replicas);
  }

  public OpenAiSpec withMaxAttempts(Integer value) {
    return new OpenAiSpec(endpoint, model, apiKeyEnv, apiKeyFile, maxInFlight, requestTimeoutSeconds, value, maxOutputTokens, requestOptions, replicas);
  }

  public URI chatCompletionsUri() {
    return URI.create(endpoint + "/chat/completions");
  }

  public URI modelsUri() {
    return URI.create(endpoint + "/models");
  }

  private static String stripSlash(String url) {
    String out = url;
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }
}
