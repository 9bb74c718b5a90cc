package dev.flashline.backend.openai;

import java.time.Duration;

/**
 * What goes wrong with one response. The server's fixed delay, if any, comes first for every
 * fault; the fault's own timing comes after it.
 */
public sealed interface Fault
    permits Fault.None,
        Fault.Status,
        Fault.ResetMidBody,
        Fault.KeepAliveLines,
        Fault.Delay,
        Fault.MalformedBody,
        Fault.Content {

  None NONE = new None();

  /** The name logged in {@link Exchange#fault()}. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** A normal answer. */
  record None() implements Fault {}

  /**
   * An HTTP error without usage (nothing is billed).
   *
   * @param retryAfter the {@code Retry-After} header value; null sends none
   * @param body the response body; null sends {@link ErrorBodies#forStatus} of the code
   */
  record Status(int code, String retryAfter, String body) implements Fault {
    public Status {
      if (code < 400 || code > 599) {
        throw new IllegalArgumentException("an error status is 4xx or 5xx: " + code);
      }
    }

    public Status(int code) {
      this(code, null, null);
    }

    /** 429 with {@code Retry-After: <retryAfter>}. */
    public static Status rateLimited(String retryAfter) {
      return new Status(429, retryAfter, null);
    }
  }

  /**
   * 200 with the Content-Length of the whole normal body, about half of the body, then the
   * connection is closed: the client sees a premature EOF. Logged as not delivered; the prefix
   * cache is not updated.
   */
  record ResetMidBody() implements Fault {}

  /**
   * 200 headers at once (chunked), then {@code lines} lines of {@code "\n"} one {@code interval}
   * apart, then the normal body, as DeepSeek keeps a queued non-streaming request alive. A client
   * that relies on a read timeout alone never times out.
   */
  record KeepAliveLines(int lines, Duration interval) implements Fault {
    public KeepAliveLines {
      if (lines < 0 || interval.isNegative()) {
        throw new IllegalArgumentException("lines and interval must be >= 0");
      }
    }
  }

  /** A normal answer, {@code delay} later. */
  record Delay(Duration delay) implements Fault {
    public Delay {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must be >= 0: " + delay);
      }
    }
  }

  /** 200 with a correct Content-Length but a body cut off mid-JSON, so no usage can be read. */
  record MalformedBody() implements Fault {}

  /**
   * A normal, billed 200 whose message content is {@code content} instead of the answerer's: a
   * label outside the set, prose instead of JSON.
   */
  record Content(String content) implements Fault {
    public Content {
      if (content == null) {
        throw new IllegalArgumentException("content must not be null");
      }
    }
  }
}
