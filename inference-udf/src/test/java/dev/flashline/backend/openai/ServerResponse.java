package dev.flashline.backend.openai;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answer to one chat request, possibly written long after the handler returned, from a
 * scheduler thread: com.sun.net.httpserver leaves an exchange open until its response body is
 * closed, so nothing holds a thread while an answer waits. Only one thread touches the exchange at
 * a time (each step is handed on through the scheduler), which is all HttpExchange needs.
 */
final class ServerResponse {
  private final ChatCompletionsServer server;
  private final HttpExchange http;
  private final int number;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final CountDownLatch logged = new CountDownLatch(1);
  // Set once by answerAfter, before any step that reads it is scheduled.
  private TokenMeter.Metered metered;

  ServerResponse(ChatCompletionsServer server, HttpExchange http, int number) {
    this.server = server;
    this.http = http;
    this.number = number;
  }

  /** Answers {@code request} with {@code fault} once {@code delay} has passed. */
  void answerAfter(Duration delay, ChatRequest request, Fault fault) {
    // Admitted now, on arrival: a real server decides cache hits when prefill starts.
    try {
      metered = server.meter().admit(request);
    } catch (RuntimeException e) {
      // Through the guarded path, so the failure is printed and the client still gets a 500.
      after(Duration.ZERO, () -> {
        throw e;
      });
      return;
    }
    if (fault instanceof Fault.Delay d) {
      after(delay.plus(d.delay()), () -> normal(request, answer(request), fault));
    } else {
      after(delay, () -> answer(request, fault));
    }
  }

  /** Rejects an unauthenticated or unparseable request; nothing was billed. */
  void rejectAfter(Duration delay, int code, String body) {
    after(delay, () -> status(null, new Fault.Status(code, null, body)));
  }

  /** The client went away while we read its request. */
  void abandon() {
    http.close();
    finish(null, Fault.NONE, 0, null, false);
  }

  private void answer(ChatRequest request, Fault fault) {
    if (fault instanceof Fault.Status s) {
      status(request, s);
    } else if (fault instanceof Fault.ResetMidBody) {
      reset(request);
    } else if (fault instanceof Fault.KeepAliveLines k) {
      keepAlive(request, k);
    } else if (fault instanceof Fault.MalformedBody) {
      boolean delivered = write(200, null, CompletionBody.malformed(number));
      finish(request, fault, 200, null, delivered);
    } else if (fault instanceof Fault.Content c) {
      normal(request, Answer.of(c.content()), fault);
    } else {
      normal(request, answer(request), fault);
    }
  }

  private Answer answer(ChatRequest request) {
    return server.config().answerer().answer(request);
  }

  private void normal(ChatRequest request, Answer answer, Fault fault) {
    Completion completion = completion(request, answer, true);
    boolean delivered = write(200, null, completion.body());
    finish(request, fault, 200, completion.reported(), delivered);
  }

  private void status(ChatRequest request, Fault.Status s) {
    String body = s.body() != null ? s.body() : ErrorBodies.forStatus(s.code());
    boolean delivered = write(s.code(), s.retryAfter(), body.getBytes(StandardCharsets.UTF_8));
    finish(request, s, s.code(), null, delivered);
  }

  private void reset(ChatRequest request) {
    Completion completion = completion(request, answer(request), false);
    byte[] body = completion.body();
    server.writing(this);
    try {
      json();
      http.sendResponseHeaders(200, body.length);
      OutputStream out = http.getResponseBody();
      out.write(body, 0, body.length / 2);
      out.flush();
    } catch (IOException e) {
      // The client left first; the connection is closed below all the same.
    }
    // HttpExchange.close() with bytes still owed closes the connection; closing the body stream
    // first would instead leave it open and the client waiting forever for the rest.
    http.close();
    finish(request, new Fault.ResetMidBody(), 200, completion.reported(), false);
  }

  private void keepAlive(ChatRequest request, Fault.KeepAliveLines k) {
    OutputStream out;
    try {
      json();
      // Length 0 means chunked: DeepSeek cannot know the length of an answer it has not computed.
      http.sendResponseHeaders(200, 0);
      out = http.getResponseBody();
    } catch (IOException e) {
      http.close();
      finish(request, k, 200, null, false);
      return;
    }
    keepAliveLine(request, k, out, 0);
  }

  private void keepAliveLine(ChatRequest request, Fault.KeepAliveLines k, OutputStream out, int sent) {
    if (sent == k.lines()) {
      Completion completion = completion(request, answer(request), true);
      server.writing(this);
      boolean delivered = writeAndClose(out, completion.body());
      finish(request, k, 200, completion.reported(), delivered);
      return;
    }
    after(
        k.interval(),
        () -> {
          try {
            out.write('\n');
            // A flush ends a chunk, so each blank line reaches the client on its own.
            out.flush();
          } catch (IOException e) {
            http.close();
            finish(request, k, 200, null, false);
            return;
          }
          keepAliveLine(request, k, out, sent + 1);
        });
  }

  /** A normal body and the usage it reports; {@code record} = let it warm the prefix cache. */
  private Completion completion(ChatRequest request, Answer answer, boolean record) {
    TokenMeter.Billed billed = metered.bill(answer, record);
    UsageStyle style = server.config().usageStyle();
    byte[] body =
        CompletionBody.json(
            number,
            request.model(),
            billed.content(),
            billed.finishReason(),
            billed.usage(),
            style,
            Instant.now().getEpochSecond());
    return new Completion(body, style == UsageStyle.NONE ? null : billed.usage());
  }

  private record Completion(byte[] body, TokenUsageSent reported) {}

  /** @return false when the client was gone: the JDK server writes headers and body separately,
   *     so a closed peer's reset arrives before the body and the write fails (broken pipe). */
  private boolean write(int code, String retryAfter, byte[] body) {
    server.writing(this);
    try {
      json();
      if (retryAfter != null) {
        http.getResponseHeaders().set("Retry-After", retryAfter);
      }
      http.sendResponseHeaders(code, body.length);
    } catch (IOException e) {
      http.close();
      return false;
    }
    return writeAndClose(http.getResponseBody(), body);
  }

  private boolean writeAndClose(OutputStream out, byte[] body) {
    try {
      out.write(body);
    } catch (IOException e) {
      // Bytes still owed, so this closes the connection rather than leaving it half-answered.
      http.close();
      return false;
    }
    try {
      out.close();
      return true;
    } catch (IOException e) {
      http.close();
      return false;
    }
  }

  private void json() {
    http.getResponseHeaders().set("Content-Type", "application/json");
  }

  /** Runs {@code step} now or on the scheduler; a failing answerer or script becomes a 500. */
  private void after(Duration delay, Runnable step) {
    server.schedule(delay, () -> guarded(step));
  }

  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      // A bug in a test's answerer or script: make it loud, and still answer so no client hangs.
      e.printStackTrace();
      boolean delivered =
          http.getResponseCode() == -1
              && write(500, null, ErrorBodies.of("test server failed: " + e, "server_error", "server_error")
                  .getBytes(StandardCharsets.UTF_8));
      if (!delivered) {
        http.close();
      }
      finish(null, new Fault.Status(500), 500, null, delivered);
    }
  }

  /** Waits until this reply is in the log; false if it took longer than {@code timeout}. */
  boolean awaitLogged(Duration timeout) throws InterruptedException {
    return logged.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void finish(ChatRequest request, Fault fault, int status, TokenUsageSent usage, boolean delivered) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    server.finished(
        this,
        new Exchange(
            number,
            request == null ? null : request.model(),
            request == null ? null : request.document(),
            fault.name(),
            status,
            usage,
            delivered));
    logged.countDown();
  }
}
