package dev.flashline.backend.openai;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before trying a request again: exponential with jitter, so the clients of a
 * whole cluster that failed together do not come back together, or what the server asked for.
 */
final class Backoff {
  static final Duration BASE = Duration.ofMillis(500);
  static final Duration CAP = Duration.ofSeconds(30);
  /** A Retry-After beyond this is not honoured as given (a misconfigured server must not park a job for hours). */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

  private Backoff() {}

  /** "Equal jitter": half the exponential step fixed, half random. */
  static Duration delay(int failedAttempts) {
    long step = BASE.toMillis() << Math.min(16, Math.max(0, failedAttempts - 1));
    long capped = Math.min(CAP.toMillis(), step);
    long half = capped / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /** The server's wait, plus up to a quarter second so the herd spreads out. */
  static Duration afterRetryAfter(Duration retryAfter) {
    Duration wait = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
    return wait.plusMillis(ThreadLocalRandom.current().nextLong(251));
  }

  /** A Retry-After header: delta-seconds (whole or decimal) or an HTTP date. */
  static Optional<Duration> parseRetryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.strip();
    try {
      double seconds = Double.parseDouble(value);
      if (seconds >= 0 && Double.isFinite(seconds)) {
        return Optional.of(Duration.ofMillis((long) (seconds * 1000)));
      }
      return Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
