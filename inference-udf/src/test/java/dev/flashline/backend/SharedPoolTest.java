package dev.flashline.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedPoolTest {
  /** Counts how often it was closed. */
  private static final class Resource implements AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void manyThreadsAcquiringAtOnceShareOneValueClosedWithTheLastLease() throws Exception {
    SharedPool<String, Resource> pool = new SharedPool<>("thing");
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<SharedPool.Lease<Resource>>> leases = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      leases.add(threads.submit(() -> {
        go.await();
        return pool.acquire("a", Resource::new);
      }));
    }
    go.countDown();
    List<SharedPool.Lease<Resource>> held = new ArrayList<>();
    for (Future<SharedPool.Lease<Resource>> lease : leases) {
      held.add(lease.get());
    }
    threads.shutdown();
    Resource shared = held.get(0).get();
    assertThat(held).allSatisfy(l -> assertThat(l.get()).isSameAs(shared));
    assertThat(pool.creations()).isEqualTo(1);
    assertThat(pool.references("a")).isEqualTo(32);

    for (int i = 0; i < 31; i++) {
      held.get(i).close();
      held.get(i).close(); // a second close is ignored
    }
    assertThat(shared.closes).hasValue(0);
    assertThat(pool.size()).isEqualTo(1);
    held.get(31).close();
    assertThat(shared.closes).hasValue(1);
    assertThat(pool.size()).isZero();
    assertThatThrownBy(() -> held.get(0).get()).hasMessageContaining("lease on thing a is closed");

    // After the last lease the next acquire creates afresh.
    try (SharedPool.Lease<Resource> again = pool.acquire("a", Resource::new)) {
      assertThat(again.get()).isNotSameAs(shared);
      assertThat(pool.creations()).isEqualTo(2);
    }
  }

  @Test
  void aValueThatFailsToCreateLeavesNothingBehind() {
    SharedPool<String, Resource> pool = new SharedPool<>("thing");
    assertThatThrownBy(() -> pool.acquire("bad", () -> {
      throw new IllegalArgumentException("cannot load bad");
    })).hasMessage("cannot load bad");
    assertThat(pool.size()).isZero();
    assertThat(pool.references("bad")).isZero();
    assertThat(pool.creations()).isZero();
  }

  @Test
  void keysAreSharedSeparately() {
    SharedPool<String, Resource> pool = new SharedPool<>("thing");
    try (SharedPool.Lease<Resource> a = pool.acquire("a", Resource::new);
        SharedPool.Lease<Resource> b = pool.acquire("b", Resource::new)) {
      assertThat(a.get()).isNotSameAs(b.get());
      assertThat(pool.size()).isEqualTo(2);
    }
    assertThat(pool.size()).isZero();
  }

  @Test
  void anUnusedValueLingersUntilRetakenOrItsPeriodEnds() throws Exception {
    SharedPool<String, Resource> pool = new SharedPool<>("thing", java.time.Duration.ofMillis(300));
    SharedPool.Lease<Resource> first = pool.acquire("a", Resource::new);
    Resource kept = first.get();
    first.close();
    assertThat(pool.inUse()).isZero();
    assertThat(pool.size()).as("lingering").isEqualTo(1);
    assertThat(kept.closes).hasValue(0);

    // Retaken while lingering: the same value, not created again, and not closed by the old timer.
    try (SharedPool.Lease<Resource> again = pool.acquire("a", Resource::new)) {
      assertThat(again.get()).isSameAs(kept);
      Thread.sleep(600);
      assertThat(kept.closes).hasValue(0);
    }
    assertThat(pool.creations()).isEqualTo(1);

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (pool.size() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(pool.size()).as("closed after the linger period").isZero();
    assertThat(kept.closes).hasValue(1);

    SharedPool.Lease<Resource> third = pool.acquire("a", Resource::new);
    Resource another = third.get();
    third.close();
    assertThat(pool.closeUnused()).isEqualTo(1);
    assertThat(another.closes).hasValue(1);
    assertThat(pool.creations()).isEqualTo(2);
    assertThatThrownBy(() -> pool.setLinger(java.time.Duration.ofSeconds(-1))).hasMessageContaining("must not be negative");
  }
}
