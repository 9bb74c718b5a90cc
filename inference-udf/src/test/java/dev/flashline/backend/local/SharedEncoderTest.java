package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Compares counts before and after, so it holds whether or not another test class still holds a
 * lease on the same model.
 */
class SharedEncoderTest {
  private static final EncoderModelSpec SPEC = EncoderModelSpec.E5_SMALL_V2_Q;
  private static final String NAME = SPEC.name();

  @Test
  void twoLeasesShareOneModelAndTheLastCloseFreesItWhenNothingLingers() {
    Duration linger = SharedEncoder.setLinger(Duration.ZERO);
    try {
      sharedAndFreed();
    } finally {
      SharedEncoder.setLinger(linger);
    }
  }

  private void sharedAndFreed() {
    // A model another test let go may still linger: free it, so this test sees the first load.
    SharedEncoder.freeUnused();
    int referencesBefore = SharedEncoder.references(NAME);
    int openBefore = SharedEncoder.openModels();
    int loadsBefore = SharedEncoder.loads();

    SharedEncoder.Lease first = SharedEncoder.acquire(SPEC);
    SharedEncoder.Lease second = SharedEncoder.acquire(SPEC);
    EncoderModel shared = first.model();
    try {
      assertThat(second.model()).isSameAs(first.model());
      assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore + 2);
      assertThat(SharedEncoder.loads() - loadsBefore).isBetween(0, 1);
      if (referencesBefore == 0) {
        assertThat(SharedEncoder.loads()).isEqualTo(loadsBefore + 1);
        assertThat(SharedEncoder.openModels()).isEqualTo(openBefore + 1);
      }

      first.close();
      assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore + 1);
      // The other lease still works.
      assertThat(second.model().embed("still here").vector()).hasSize(384);
    } finally {
      first.close();
      second.close();
    }
    assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore);
    assertThat(SharedEncoder.openModels()).isEqualTo(openBefore);
    if (referencesBefore == 0) {
      // Freed: the next lease loads it again.
      int loadsAfter = SharedEncoder.loads();
      try (SharedEncoder.Lease again = SharedEncoder.acquire(SPEC)) {
        assertThat(SharedEncoder.loads()).isEqualTo(loadsAfter + 1);
        assertThat(again.model()).isNotSameAs(shared);
      }
      assertThat(SharedEncoder.openModels()).isZero();
      assertThat(SharedEncoder.references(NAME)).isZero();
    }
  }

  @Test
  void anUnusedModelLingersForAWhileSoALaterStageDoesNotLoadItAgain() throws Exception {
    Duration linger = SharedEncoder.setLinger(Duration.ofMillis(800));
    try {
      SharedEncoder.freeUnused();
      // Only meaningful when no other test holds the model now.
      if (SharedEncoder.references(NAME) > 0) {
        return;
      }
      int loadsBefore = SharedEncoder.loads();
      EncoderModel first;
      try (SharedEncoder.Lease stage1 = SharedEncoder.acquire(SPEC)) {
        first = stage1.model();
      }
      assertThat(SharedEncoder.openModels()).as("in use").isZero();
      assertThat(SharedEncoder.loadedModels()).as("lingering").isEqualTo(1);
      try (SharedEncoder.Lease stage2 = SharedEncoder.acquire(SPEC)) {
        assertThat(stage2.model()).isSameAs(first);
        assertThat(SharedEncoder.loads()).isEqualTo(loadsBefore + 1);
      }
      // Taken and let go again: the linger period starts over, then the model is freed.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (SharedEncoder.loadedModels() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(SharedEncoder.loadedModels()).as("freed after the linger period").isZero();
      try (SharedEncoder.Lease later = SharedEncoder.acquire(SPEC)) {
        assertThat(later.model()).isNotSameAs(first);
        assertThat(SharedEncoder.loads()).isEqualTo(loadsBefore + 2);
      }
    } finally {
      SharedEncoder.setLinger(linger);
      SharedEncoder.freeUnused();
    }
  }

  @Test
  void closingTwiceIsHarmless() {
    int referencesBefore = SharedEncoder.references(NAME);
    try (SharedEncoder.Lease keeper = SharedEncoder.acquire(SPEC)) {
      SharedEncoder.Lease lease = SharedEncoder.acquire(SPEC);
      assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore + 2);
      lease.close();
      lease.close();
      lease.close();
      // The second and third close did not release the keeper's reference.
      assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore + 1);
      assertThat(keeper.model().embed("works").vector()).hasSize(384);
    }
    assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore);
  }

  @Test
  void modelAfterCloseThrows() {
    SharedEncoder.Lease lease = SharedEncoder.acquire(SPEC);
    assertThat(lease.model()).isNotNull();
    lease.close();
    assertThatThrownBy(lease::model)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(NAME)
        .hasMessageContaining("closed");
  }

  @Test
  void concurrentAcquiresLoadAtMostOnce() throws Exception {
    int referencesBefore = SharedEncoder.references(NAME);
    int loadsBefore = SharedEncoder.loads();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<SharedEncoder.Lease>> futures = new ArrayList<>();
    List<SharedEncoder.Lease> leases = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return SharedEncoder.acquire(SPEC);
                }));
      }
      start.countDown();
      for (Future<SharedEncoder.Lease> future : futures) {
        leases.add(future.get());
      }
      assertThat(SharedEncoder.loads() - loadsBefore).isBetween(0, 1);
      assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore + threads);
      EncoderModel model = leases.get(0).model();
      assertThat(leases).allSatisfy(lease -> assertThat(lease.model()).isSameAs(model));
    } finally {
      leases.forEach(SharedEncoder.Lease::close);
      pool.shutdownNow();
    }
    assertThat(SharedEncoder.references(NAME)).isEqualTo(referencesBefore);
  }

  @Test
  void unknownModelIsNotCounted() {
    int open = SharedEncoder.openModels();
    EncoderModelSpec ghost =
        new EncoderModelSpec("ghost", "ghost.onnx", "ghost.json", EncoderModelSpec.Pooling.MEAN, "", 512);
    assertThatThrownBy(() -> SharedEncoder.acquire(ghost)).isInstanceOf(RuntimeException.class);
    assertThat(SharedEncoder.openModels()).isEqualTo(open);
    assertThat(SharedEncoder.references("ghost")).isZero();
  }
}
