package dev.flashline.backend.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashline.cost.TokenUsage;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.OpenAiSpec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends chat-completions requests to one endpoint, many at a time, and sees each call through:
 * retries with backoff on overload and transient failures, a wall-clock deadline per request, a
 * concurrency bound that adapts to the server, and a stop on exhausted balance. Asynchronous
 * throughout, so hundreds of requests in flight cost a few threads, not hundreds.
 *
 * <p>One instance per endpoint per JVM, shared by the workers through {@link ChatClients}.
 */
public final class ChatClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_TEXT = 300;

  private final OpenAiSpec spec;
  private final ApiKey key;
  private final Clock clock;
  private final URI uri;
  private final Duration deadline;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final HttpClient http;
  private final ConcurrencyLimiter limiter;
  private final AtomicReference<String> balanceExhausted = new AtomicReference<>();
  private final AtomicReference<EndpointAuthException> authFailure = new AtomicReference<>();

  ChatClient(OpenAiSpec spec, ApiKey key, int capacity, Clock clock) {
    this.spec = spec;
    this.key = key;
    this.clock = clock;
    this.uri = spec.chatCompletionsUri();
    this.deadline = Duration.ofMillis((long) (spec.requestTimeoutSeconds() * 1000));
    this.executor = Executors.newCachedThreadPool(daemon("flashline-http"));
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, daemon("flashline-http-timer"));
    // Every request schedules its deadline and almost every one cancels it: without removal the
    // queue would hold a cancelled task per request for the whole deadline.
    scheduler.setRemoveOnCancelPolicy(true);
    this.timer = scheduler;
    this.http =
        HttpClient.newBuilder()
            // One connection per request in flight: HTTP/2 would funnel hundreds of requests
            // into a server's per-connection stream limit.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(Math.min(30, Math.max(1, deadline.toSeconds()))))
            .executor(executor)
            .build();
    this.limiter = new ConcurrencyLimiter(capacity, timer);
  }

  /** Sees a call through; completes exceptionally only with {@link EndpointAuthException}. */
  public CompletableFuture<ChatReply> complete(ChatCall call) {
    CompletableFuture<ChatReply> result = new CompletableFuture<>();
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(requestBody(call));
    } catch (JsonProcessingException e) {
      result.complete(new ChatReply(null, new CallFailure(CallFailure.Code.rejected, "cannot write the request: " + e.getOriginalMessage()), List.of()));
      return result;
    }
    attempt(body, 1, new ArrayList<>(), result);
    return result;
  }

  public String endpoint() {
    return spec.endpoint();
  }

  public boolean balanceExhausted() {
    return balanceExhausted.get() != null;
  }

  ConcurrencyLimiter limiter() {
    return limiter;
  }

  ObjectNode requestBody(ChatCall call) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", call.model());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage message : call.messages()) {
      messages.addObject().put("role", message.role()).put("content", message.content());
    }
    body.put("temperature", 0);
    body.put("max_tokens", call.maxOutputTokens());
    if (call.jsonMode()) {
      body.putObject("response_format").put("type", "json_object");
    }
    body.put("stream", false);
    for (Map.Entry<String, Object> option : spec.requestOptions().entrySet()) {
      body.set(option.getKey(), JSON.valueToTree(option.getValue()));
    }
    return body;
  }

  /** What one request came to, and what to do next. */
  private record Outcome(
      ChatAttempt attempt, String content, CallFailure.Code retryAs, CallFailure stop, Duration retryAfter, ConcurrencyLimiter.Signal signal) {}

  private void attempt(byte[] body, int number, List<ChatAttempt> attempts, CompletableFuture<ChatReply> result) {
    EndpointAuthException auth = authFailure.get();
    if (auth != null) {
      result.completeExceptionally(auth);
      return;
    }
    String broke = balanceExhausted.get();
    if (broke != null) {
      result.complete(new ChatReply(null, new CallFailure(CallFailure.Code.insufficient_balance, "not sent: " + broke), attempts));
      return;
    }
    limiter.acquire().thenAccept(permit -> send(body, number, attempts, result, permit));
  }

  private void send(
      byte[] body, int number, List<ChatAttempt> attempts, CompletableFuture<ChatReply> result, ConcurrencyLimiter.Permit permit) {
    // Re-checked: the balance may have run out while this request waited for a slot.
    if (balanceExhausted.get() != null || authFailure.get() != null) {
      limiter.release(permit, ConcurrencyLimiter.Signal.NEUTRAL);
      attempt(body, number, attempts, result);
      return;
    }
    Instant sentAt = clock.instant();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(deadline)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key.present()) {
      request.header("Authorization", key.authorization());
    }
    AtomicBoolean pastDeadline = new AtomicBoolean();
    CompletableFuture<HttpResponse<String>> response;
    try {
      response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<String>> inFlight = response;
    // The request timeout covers only the wait for headers; a server that sends headers and then
    // trickles blank lines would hold the request for ever. The deadline covers the whole body.
    ScheduledFuture<?> guard =
        timer.schedule(
            () -> {
              pastDeadline.set(true);
              inFlight.cancel(true);
            },
            deadline.toNanos(),
            TimeUnit.NANOSECONDS);
    inFlight.whenComplete(
        (reply, error) -> {
          guard.cancel(false);
          Outcome outcome;
          try {
            outcome = outcome(reply, error, pastDeadline.get(), sentAt);
          } catch (RuntimeException e) {
            outcome = new Outcome(new ChatAttempt(sentAt, 0, null, "client error: " + e), null, null,
                new CallFailure(CallFailure.Code.rejected, "client error: " + e), null, ConcurrencyLimiter.Signal.NEUTRAL);
          }
          limiter.release(permit, outcome.signal());
          attempts.add(outcome.attempt());
          next(body, number, attempts, result, outcome);
        });
  }

  private void next(byte[] body, int number, List<ChatAttempt> attempts, CompletableFuture<ChatReply> result, Outcome outcome) {
    if (outcome.content() != null) {
      result.complete(new ChatReply(outcome.content(), null, attempts));
    } else if (outcome.stop() != null) {
      result.complete(new ChatReply(null, outcome.stop(), attempts));
    } else if (authFailure.get() != null) {
      result.completeExceptionally(authFailure.get());
    } else if (number >= spec.maxAttempts()) {
      result.complete(
          new ChatReply(
              null,
              new CallFailure(outcome.retryAs(), "gave up after " + number + " attempts; last: " + outcome.attempt().outcome()),
              attempts));
    } else {
      Duration wait;
      if (outcome.retryAfter() != null) {
        wait = Backoff.afterRetryAfter(outcome.retryAfter());
        limiter.pause(outcome.retryAfter().toNanos());
      } else {
        wait = Backoff.delay(number);
      }
      timer.schedule(() -> attempt(body, number + 1, attempts, result), wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private Outcome outcome(HttpResponse<String> reply, Throwable error, boolean pastDeadline, Instant sentAt) {
    ConcurrencyLimiter.Signal neutral = ConcurrencyLimiter.Signal.NEUTRAL;
    if (error != null) {
      Throwable cause = unwrap(error);
      if (pastDeadline || cause instanceof HttpTimeoutException || cause instanceof CancellationException) {
        String what = "timeout: no complete answer within " + spec.requestTimeoutSeconds() + " s";
        return transientFailure(sentAt, 0, what, CallFailure.Code.timeout, null, neutral);
      }
      if (cause instanceof IOException) {
        String what = (cause instanceof ConnectException ? "cannot connect to " + spec.endpoint() : "connection failed")
            + ": " + key.redact(String.valueOf(cause.getMessage()));
        return transientFailure(sentAt, 0, what, CallFailure.Code.connection, null, neutral);
      }
      String what = "client error: " + key.redact(cause.toString());
      return new Outcome(new ChatAttempt(sentAt, 0, null, what), null, null, new CallFailure(CallFailure.Code.rejected, what), null, neutral);
    }
    int status = reply.statusCode();
    String text = reply.body() == null ? "" : reply.body();
    if (status >= 200 && status < 300) {
      return success(sentAt, status, text);
    }
    String message = "HTTP " + status + errorMessage(text);
    Duration retryAfter = Backoff.parseRetryAfter(reply.headers().firstValue("Retry-After").orElse(null), clock.instant()).orElse(null);
    switch (status) {
      case 401, 403 -> {
        EndpointAuthException auth =
            new EndpointAuthException(
                spec.endpoint() + " refused the credentials (" + message + "); the API key came from "
                    + key.source() + " (set openai.api_key_env or openai.api_key_file)");
        authFailure.compareAndSet(null, auth);
        return new Outcome(new ChatAttempt(sentAt, status, null, message), null, null, null, null, neutral);
      }
      case 402 -> {
        balanceExhausted.compareAndSet(null, "the account at " + spec.endpoint() + " ran out of balance (" + message + ")");
        return new Outcome(
            new ChatAttempt(sentAt, status, null, message), null, null,
            new CallFailure(CallFailure.Code.insufficient_balance, message), null, neutral);
      }
      case 429 -> {
        return transientFailure(sentAt, status, message, CallFailure.Code.rate_limited, retryAfter, ConcurrencyLimiter.Signal.OVERLOAD);
      }
      case 503 -> {
        return transientFailure(sentAt, status, message, CallFailure.Code.server_error, retryAfter, ConcurrencyLimiter.Signal.OVERLOAD);
      }
      case 408 -> {
        return transientFailure(sentAt, status, message, CallFailure.Code.timeout, retryAfter, neutral);
      }
      default -> {
        if (status >= 500) {
          return transientFailure(sentAt, status, message, CallFailure.Code.server_error, retryAfter, neutral);
        }
        return new Outcome(
            new ChatAttempt(sentAt, status, null, message), null, null,
            new CallFailure(CallFailure.Code.rejected, message), null, neutral);
      }
    }
  }

  private Outcome success(Instant sentAt, int status, String text) {
    JsonNode root;
    try {
      // Leading blank lines (keep-alives while queued) are whitespace to the parser.
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      return transientFailure(sentAt, status, "malformed response: not a JSON object: " + snippet(text), CallFailure.Code.malformed_response, null, ConcurrencyLimiter.Signal.NEUTRAL);
    }
    TokenUsage usage = TokenUsage.fromJson(root.get("usage"));
    JsonNode message = root.path("choices").path(0).path("message");
    if (!message.isObject()) {
      String what = "malformed response: no choices[0].message: " + snippet(text);
      return new Outcome(new ChatAttempt(sentAt, status, usage, what), null, CallFailure.Code.malformed_response, null, null, ConcurrencyLimiter.Signal.OK);
    }
    JsonNode content = message.get("content");
    String answer = content == null || content.isNull() ? "" : content.asText();
    return new Outcome(new ChatAttempt(sentAt, status, usage, "ok"), answer, null, null, null, ConcurrencyLimiter.Signal.OK);
  }

  private static Outcome transientFailure(
      Instant sentAt, int status, String what, CallFailure.Code code, Duration retryAfter, ConcurrencyLimiter.Signal signal) {
    return new Outcome(new ChatAttempt(sentAt, status, null, what), null, code, null, retryAfter, signal);
  }

  /** The server's own explanation, from an OpenAI-style {@code {"error": {"message": ...}}} body. */
  private String errorMessage(String body) {
    String message = null;
    try {
      JsonNode root = JSON.readTree(body);
      if (root != null) {
        JsonNode error = root.path("error");
        message = error.isTextual() ? error.asText() : error.path("message").isTextual() ? error.path("message").asText() : null;
        if (message == null && root.path("message").isTextual()) {
          message = root.path("message").asText();
        }
      }
    } catch (JsonProcessingException e) {
      message = body.isBlank() ? null : body;
    }
    return message == null || message.isBlank() ? "" : ": " + snippet(message);
  }

  private String snippet(String text) {
    String flat = key.redact(text).strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_ERROR_TEXT ? flat : flat.substring(0, MAX_ERROR_TEXT) + "…";
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops the threads; requests still in flight are abandoned. */
  @Override
  public void close() {
    timer.shutdownNow();
    executor.shutdownNow();
  }
}
