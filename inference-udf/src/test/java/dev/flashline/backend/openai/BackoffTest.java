package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysGrowExponentiallyWithJitterUpToTheCap() {
    for (int i = 0; i < 200; i++) {
      assertThat(Backoff.delay(1)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
      assertThat(Backoff.delay(3)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
      assertThat(Backoff.delay(30)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
    }
  }

  @Test
  void retryAfterIsReadAsSecondsOrADate() {
    Instant now = Instant.parse("2026-11-28T12:00:00Z");
    assertThat(Backoff.parseRetryAfter("2", now)).contains(Duration.ofSeconds(2));
    assertThat(Backoff.parseRetryAfter("0.5", now)).contains(Duration.ofMillis(500));
    assertThat(Backoff.parseRetryAfter("Sat, 28 Nov 2026 12:00:07 GMT", now)).contains(Duration.ofSeconds(7));
    assertThat(Backoff.parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).contains(Duration.ZERO);
    assertThat(Backoff.parseRetryAfter("soon", now)).isEmpty();
    assertThat(Backoff.parseRetryAfter("-3", now)).isEmpty();
    assertThat(Backoff.parseRetryAfter(null, now)).isEmpty();
  }

  @Test
  void anAbsurdRetryAfterIsCapped() {
    assertThat(Backoff.afterRetryAfter(Duration.ofDays(1))).isLessThanOrEqualTo(Backoff.MAX_RETRY_AFTER.plusMillis(250));
    assertThat(Backoff.afterRetryAfter(Duration.ofSeconds(1))).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1250));
  }
}
