package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void noMoreThanTheLimitAreInFlightAndWaitersGoInOrder() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(2, timer);
    CompletableFuture<ConcurrencyLimiter.Permit> a = limiter.acquire();
    CompletableFuture<ConcurrencyLimiter.Permit> b = limiter.acquire();
    CompletableFuture<ConcurrencyLimiter.Permit> c = limiter.acquire();
    CompletableFuture<ConcurrencyLimiter.Permit> d = limiter.acquire();

    assertThat(a).isDone();
    assertThat(b).isDone();
    assertThat(c).isNotDone();
    limiter.release(a.join(), ConcurrencyLimiter.Signal.OK);
    assertThat(c).isDone();
    assertThat(d).isNotDone();
    assertThat(limiter.inFlight()).isEqualTo(2);
    assertThat(limiter.peakInFlight()).isEqualTo(2);
  }

  @Test
  void overloadHalvesOncePerRoundAndSuccessRecovers() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(64, timer);
    List<ConcurrencyLimiter.Permit> permits = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      permits.add(limiter.acquire().join());
    }
    // A storm: all 64 come back overloaded, but they were all sent in the same round.
    for (ConcurrencyLimiter.Permit permit : permits) {
      limiter.release(permit, ConcurrencyLimiter.Signal.OVERLOAD);
    }
    assertThat(limiter.limit()).isEqualTo(32);
    assertThat(limiter.overloads()).isEqualTo(1);

    // Overloaded again in the next round: halved again.
    limiter.release(limiter.acquire().join(), ConcurrencyLimiter.Signal.OVERLOAD);
    assertThat(limiter.limit()).isEqualTo(16);

    for (int i = 0; i < 100; i++) {
      limiter.release(limiter.acquire().join(), ConcurrencyLimiter.Signal.OK);
    }
    assertThat(limiter.limit()).isEqualTo(64);
    assertThat(limiter.lowestLimit()).isEqualTo(16);
  }

  @Test
  void neverBelowOne() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(4, timer);
    for (int i = 0; i < 10; i++) {
      limiter.release(limiter.acquire().join(), ConcurrencyLimiter.Signal.OVERLOAD);
    }
    assertThat(limiter.limit()).isEqualTo(1);
    assertThat(limiter.acquire()).isDone();
  }

  @Test
  void aPauseHoldsNewRequestsUntilItEnds() throws Exception {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(4, timer);
    limiter.pause(TimeUnit.MILLISECONDS.toNanos(200));
    CompletableFuture<ConcurrencyLimiter.Permit> held = limiter.acquire();
    assertThat(held).isNotDone();
    assertThat(held.get(5, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void capacityFollowsTheWorkersShares() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(2, timer);
    limiter.acquire();
    limiter.acquire();
    CompletableFuture<ConcurrencyLimiter.Permit> third = limiter.acquire();
    assertThat(third).isNotDone();
    limiter.setCapacity(3);
    assertThat(third).isDone();
    assertThat(limiter.capacity()).isEqualTo(3);
  }
}
