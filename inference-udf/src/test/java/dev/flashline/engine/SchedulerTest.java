package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Continuous batching: ordering, shared prefixes, preemption, stop conditions, accounting. */
class SchedulerTest {
  private static final int BS = 4;
  private static final int EOS = 2;

  private static int[] tokens(int from, int n) {
    return IntStream.range(from, from + n).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
  }

  private static Sequence seq(long id, int[] prompt, int maxTokens) {
    return new Sequence(id, prompt, SamplingParams.greedy(maxTokens));
  }

  /** One engine step with the fake runner; returns the batch that ran. */
  private static ScheduledBatch step(Scheduler s, FakeKvRunner runner) {
    ScheduledBatch batch = s.schedule();
    s.postprocess(batch, runner.run(batch, FakeKvRunner::nextToken));
    s.blockManager().verify(s.running());
    return batch;
  }

  private static void drain(Scheduler s, FakeKvRunner runner) {
    for (int i = 0; i < 10_000 && !s.isIdle(); i++) {
      step(s, runner);
    }
    assertThat(s.isIdle()).isTrue();
    assertThat(s.blockManager().numFreeBlocks()).isEqualTo(s.blockManager().numBlocks());
  }

  @Test
  void longestCachedPrefixGoesFirstAndTiesGoByArrival() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 1, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    int[] warm = tokens(0, 3 * BS);
    s.add(seq(0, concat(warm, tokens(90, 2)), 1));
    drain(s, runner);

    Sequence cold1 = seq(1, tokens(500, 10), 1);
    Sequence warm1 = seq(2, concat(tokens(0, BS), tokens(600, 10)), 1); // shares one block
    Sequence warm3 = seq(3, concat(warm, tokens(700, 3)), 1); // shares three
    Sequence cold2 = seq(4, tokens(800, 10), 1);
    for (Sequence q : List.of(cold1, warm1, warm3, cold2)) {
      s.add(q);
    }
    List<Sequence> order = new ArrayList<>();
    while (!s.isIdle()) {
      order.addAll(step(s, runner).sequences());
    }
    assertThat(order).containsExactly(warm3, warm1, cold1, cold2);
    assertThat(warm3.numCachedTokens()).isEqualTo(3 * BS);
    assertThat(warm1.numCachedTokens()).isEqualTo(BS);
  }

  @Test
  void aSharedPrefixArrivingTogetherIsComputedOnce() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 16, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    int[] prefix = tokens(0, 3 * BS);
    List<Sequence> group = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Sequence q = seq(i, concat(prefix, tokens(100 * (i + 1), 5)), 3);
      group.add(q);
      s.add(q);
    }
    ScheduledBatch first = step(s, runner);
    assertThat(first.phase()).isEqualTo(ScheduledBatch.Phase.PREFILL);
    assertThat(first.sequences()).containsExactly(group.get(0));
    ScheduledBatch second = step(s, runner);
    assertThat(second.phase()).isEqualTo(ScheduledBatch.Phase.PREFILL);
    assertThat(second.sequences()).containsExactlyElementsOf(group.subList(1, 4));
    assertThat(second.numTokens()).isEqualTo(3 * 5);
    for (Sequence q : group.subList(1, 4)) {
      assertThat(q.numCachedTokens()).isEqualTo(3 * BS);
      assertThat(q.blockTable()).startsWith(group.get(0).blockTable()[0], group.get(0).blockTable()[1], group.get(0).blockTable()[2]);
    }
    drain(s, runner);
  }

  @Test
  void whenBlocksRunOutTheNewestIsPreemptedAndLaterCompletesWithTheSameTokens() {
    int[] pa = tokens(0, 5);
    int[] pb = tokens(50, 5);
    // Alone, with room to spare: the reference output.
    BlockManager big = new BlockManager(64, BS);
    Scheduler alone = new Scheduler(big, 4, 1000, -1);
    Sequence refB = seq(9, pb, 12);
    alone.add(refB);
    drain(alone, new FakeKvRunner(big));

    BlockManager m = new BlockManager(6, BS); // each needs 4 blocks at the end; both at once need 8
    Scheduler s = new Scheduler(m, 4, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    Sequence a = seq(1, pa, 12);
    Sequence b = seq(2, pb, 12);
    s.add(a);
    s.add(b);
    boolean sawPreemption = false;
    while (!s.isIdle()) {
      step(s, runner);
      sawPreemption |= b.status() == SequenceStatus.WAITING && b.numGenerated() > 0;
      assertThat(a.preemptions()).isZero(); // the oldest is never the victim while b runs
    }
    assertThat(sawPreemption).isTrue();
    assertThat(b.preemptions()).isEqualTo(1);
    assertThat(a.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(b.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(b.generatedTokenIds()).containsExactly(refB.generatedTokenIds());
    // Two prefills (the second over prompt + generated) and the rest decode steps.
    assertThat(b.decodeSteps()).isEqualTo(12 - 2);
    assertThat(b.promptTokensComputed() + b.promptTokensReused()).isGreaterThan(2L * pb.length);
  }

  @Test
  void stopTokensEosAndMaxTokensFinishSequencesAndFreeTheirBlocks() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 8, 1000, EOS);
    Sequence byStop = new Sequence(1, tokens(10, 3), new SamplingParams(0, 50, Set.of(77), 0, false));
    Sequence byEos = new Sequence(2, tokens(20, 3), SamplingParams.greedy(50));
    Sequence pastEos = new Sequence(3, tokens(30, 3), new SamplingParams(0, 4, Set.of(), 0, true));
    Sequence byLength = new Sequence(4, tokens(40, 3), SamplingParams.greedy(3));
    for (Sequence q : List.of(byStop, byEos, pastEos, byLength)) {
      s.add(q);
    }
    // A scripted model: seq 1 says 77 at its 2nd token, 2 and 3 say EOS at their 2nd.
    FakeKvRunner runner = new FakeKvRunner(m);
    while (!s.isIdle()) {
      ScheduledBatch batch = s.schedule();
      s.postprocess(batch, runner.run(batch, q -> q.numGenerated() != 1 || q.id() == 4 ? 5 : q.id() == 1 ? 77 : EOS));
      m.verify(s.running());
    }
    assertThat(byStop.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(byStop.generatedTokenIds()).containsExactly(5, 77);
    assertThat(byEos.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(byEos.generatedTokenIds()).containsExactly(5, EOS);
    assertThat(pastEos.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(pastEos.generatedTokenIds()).containsExactly(5, EOS, 5, 5);
    assertThat(byLength.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(byLength.numGenerated()).isEqualTo(3);
    assertThat(m.numFreeBlocks()).isEqualTo(m.numBlocks());
  }

  @Test
  void aSequenceAddedMidDecodeJoinsAtTheNextStep() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 8, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    Sequence a = seq(1, tokens(0, 6), 10);
    s.add(a);
    assertThat(step(s, runner).phase()).isEqualTo(ScheduledBatch.Phase.PREFILL);
    assertThat(step(s, runner).sequences()).containsExactly(a);
    Sequence b = seq(2, tokens(40, 7), 10);
    s.add(b);
    ScheduledBatch join = step(s, runner);
    assertThat(join.phase()).isEqualTo(ScheduledBatch.Phase.PREFILL);
    assertThat(join.sequences()).containsExactly(b);
    ScheduledBatch both = step(s, runner);
    assertThat(both.phase()).isEqualTo(ScheduledBatch.Phase.DECODE);
    assertThat(both.sequences()).containsExactly(a, b);
    assertThat(both.positions()).containsExactly(a.length() - 2, b.length() - 2);
    drain(s, runner);
  }

  @Test
  void accountingSeparatesComputedFromReusedPromptTokensAndCountsDecodeSteps() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 8, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    int[] prefix = tokens(0, 2 * BS);
    Sequence first = seq(1, concat(prefix, tokens(100, 3)), 5);
    s.add(first);
    drain(s, runner);
    Sequence second = seq(2, concat(prefix, tokens(200, 6)), 5);
    s.add(second);
    drain(s, runner);
    assertThat(first.promptTokensComputed()).isEqualTo(2 * BS + 3);
    assertThat(first.promptTokensReused()).isZero();
    assertThat(second.promptTokensReused()).isEqualTo(2 * BS);
    assertThat(second.promptTokensComputed()).isEqualTo(6);
    assertThat(second.decodeSteps()).isEqualTo(4); // 5 tokens: one from the prefill, four decoded
  }

  @Test
  void theBatchCarriesTheSlotMappingForEveryTokenToCompute() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 8, 1000, -1);
    Sequence a = seq(1, tokens(0, 6), 3);
    Sequence b = seq(2, tokens(30, 3), 3);
    s.add(a);
    s.add(b);
    ScheduledBatch batch = s.schedule();
    assertThat(batch.queryStarts()).containsExactly(0, 6, 9);
    assertThat(batch.tokenIds()).containsExactly(concat(tokens(0, 6), tokens(30, 3)));
    assertThat(batch.positions()).containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2);
    for (int t = 0; t < 6; t++) {
      assertThat(batch.slotMapping()[t]).isEqualTo(a.blockId(t / BS) * BS + t % BS);
    }
    assertThat(batch.slotMapping()[8]).isEqualTo(b.blockId(0) * BS + 2);
  }

  @Test
  void cancellingFreesBlocksAndAnInFlightResultIsDropped() {
    BlockManager m = new BlockManager(64, BS);
    Scheduler s = new Scheduler(m, 8, 1000, -1);
    FakeKvRunner runner = new FakeKvRunner(m);
    Sequence a = seq(1, tokens(0, 6), 10);
    Sequence w = seq(2, tokens(20, 6), 10);
    s.add(a);
    ScheduledBatch batch = s.schedule();
    s.add(w);
    s.cancel(w);
    int[] sampled = runner.run(batch, FakeKvRunner::nextToken);
    s.cancel(a);
    s.postprocess(batch, sampled);
    assertThat(a.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(a.numGenerated()).isZero();
    assertThat(w.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(s.isIdle()).isTrue();
    assertThat(m.numFreeBlocks()).isEqualTo(m.numBlocks());
  }

  @Test
  void aSequenceThatCannotFitIsRefusedAndALongPromptRunsAloneOverTheTokenBudget() {
    BlockManager m = new BlockManager(4, BS);
    Scheduler s = new Scheduler(m, 8, 8, -1);
    assertThatThrownBy(() -> s.add(seq(1, tokens(0, 14), 4))).isInstanceOf(IllegalArgumentException.class);
    Sequence lng = seq(2, tokens(0, 12), 2);
    Sequence shrt = seq(3, tokens(50, 2), 2);
    s.add(lng);
    s.add(shrt);
    FakeKvRunner runner = new FakeKvRunner(m);
    assertThat(step(s, runner).sequences()).containsExactly(lng);
    assertThat(step(s, runner).sequences()).containsExactly(shrt);
    drain(s, runner);
  }
}
