package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random steps (arrivals with shared prefixes over a tiny vocabulary, cancellations,
 * stop tokens, a cache small enough to force eviction and preemption), checking after every step
 * the block manager's invariants, that every sequence reads back exactly its own tokens from the
 * simulated cache ({@link FakeKvRunner}), and the scheduler's caps. Fixed seeds: reproducible.
 */
class SchedulerPropertyTest {
  private static final int EOS = 3;

  @Test
  void invariantsHoldUnderARandomWorkload() {
    run(new BlockManager(40, 4), 11);
  }

  @Test
  void invariantsHoldWithAHashThatCollidesConstantly() {
    // Blind to the parent and to all but one token: most lookups find a wrong candidate.
    run(new BlockManager(40, 4, (parent, tokens, from, length) -> tokens[from] % 3), 12);
  }

  private static void run(BlockManager m, long seed) {
    Random rnd = new Random(seed);
    int maxSeqs = 6;
    int budget = 48;
    Scheduler s = new Scheduler(m, maxSeqs, budget, EOS);
    FakeKvRunner runner = new FakeKvRunner(m);
    int[][] prefixes = new int[4][];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = randomTokens(rnd, 4 + rnd.nextInt(14));
    }
    List<Sequence> all = new ArrayList<>();
    long reusedTotal = 0;
    for (int stepNo = 0; stepNo < 4000; stepNo++) {
      int arrivals = stepNo < 3500 && rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0;
      for (int k = 0; k < arrivals; k++) {
        int[] prefix = rnd.nextInt(5) == 0 ? new int[0] : prefixes[rnd.nextInt(prefixes.length)];
        int[] suffix = randomTokens(rnd, 1 + rnd.nextInt(10));
        int[] prompt = new int[prefix.length + suffix.length];
        System.arraycopy(prefix, 0, prompt, 0, prefix.length);
        System.arraycopy(suffix, 0, prompt, prefix.length, suffix.length);
        Set<Integer> stops = rnd.nextBoolean() ? Set.of(4) : Set.of();
        Sequence q = new Sequence(all.size(), prompt, new SamplingParams(0, 1 + rnd.nextInt(30), stops, 0, rnd.nextInt(4) == 0));
        s.add(q);
        all.add(q);
      }
      if (!all.isEmpty() && rnd.nextInt(40) == 0) {
        s.cancel(all.get(rnd.nextInt(all.size())));
      }
      ScheduledBatch batch = s.schedule();
      assertThat(s.running().size()).isLessThanOrEqualTo(maxSeqs);
      if (batch.phase() == ScheduledBatch.Phase.PREFILL && batch.size() > 1) {
        int toCompute = batch.numTokens();
        assertThat(toCompute).isLessThanOrEqualTo(budget);
      }
      if (!s.running().isEmpty() || !s.waiting().isEmpty()) {
        assertThat(batch.isEmpty()).as("work left but nothing scheduled").isFalse();
      }
      for (Sequence q : batch.sequences()) {
        assertThat(q.numCachedTokens()).isLessThan(q.length()); // never the last token
      }
      // Vocabulary 0..7: EOS (3) and the stop token (4) come up often enough to end sequences early.
      int[] sampled = runner.run(batch, q -> rnd.nextInt(8));
      s.postprocess(batch, sampled);
      checkAll(m, s, all);
    }
    for (int i = 0; i < 10_000 && !s.isIdle(); i++) {
      ScheduledBatch batch = s.schedule();
      s.postprocess(batch, runner.run(batch, q -> 5 + (int) (q.id() % 3)));
      checkAll(m, s, all);
    }
    assertThat(s.isIdle()).isTrue();
    assertThat(m.numFreeBlocks()).isEqualTo(m.numBlocks());
    int preempted = 0;
    for (Sequence q : all) {
      assertThat(q.isFinished()).isTrue();
      reusedTotal += q.promptTokensReused();
      preempted += q.preemptions();
      if (q.finishReason() != FinishReason.CANCELLED) {
        // Every admission's prefill samples one token, every decode step one more.
        assertThat((long) q.numGenerated()).isEqualTo(q.decodeSteps() + q.preemptions() + 1);
        if (q.preemptions() == 0) {
          assertThat(q.promptTokensComputed() + q.promptTokensReused()).isEqualTo(q.promptLength());
        }
        if (q.finishReason() == FinishReason.LENGTH) {
          assertThat(q.numGenerated()).isEqualTo(q.params().maxTokens());
        }
      }
    }
    // The workload really exercised the interesting paths.
    assertThat(all.size()).isGreaterThan(1000);
    assertThat(reusedTotal).isPositive();
    assertThat(preempted).isPositive();
  }

  private static void checkAll(BlockManager m, Scheduler s, List<Sequence> all) {
    m.verify(s.running());
    for (Sequence q : s.waiting()) {
      assertThat(q.numBlocks()).isZero();
      assertThat(q.status()).isEqualTo(SequenceStatus.WAITING);
    }
    for (Sequence q : s.running()) {
      assertThat(q.status()).isEqualTo(SequenceStatus.RUNNING);
      assertThat(q.kvLength()).isEqualTo(q.length() - 1);
    }
    for (Sequence q : all) {
      if (q.isFinished()) {
        assertThat(q.numBlocks()).isZero();
      }
    }
  }

  private static int[] randomTokens(Random rnd, int n) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = rnd.nextInt(8);
    }
    return t;
  }
}
