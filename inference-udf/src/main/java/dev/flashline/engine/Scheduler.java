package dev.flashline.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Continuous batching over a paged KV cache. Each {@link #schedule()} picks the next step; the
 * engine runs it and hands the sampled tokens to {@link #postprocess}. Sequences join at any
 * step: a step is a prefill if any waiting sequence fits, else a decode of everything running
 * (prefill first, as vLLM does without chunked prefill, so new work starts as soon as possible).
 *
 * <p><b>Prefill order: longest cached prefix first</b>, ties by arrival (SGLang's "lpm"). Sequences
 * whose prefix is already in the cache cost least to start, and admitting them first keeps their
 * blocks from being evicted by colder work. Admission stops at the first sequence that does not
 * fit the token budget ({@code maxNumBatchedTokens}, counting only tokens to compute: length minus
 * cached), the sequence cap ({@code maxNumSeqs} running at once) or the free blocks, so a long
 * prompt is not starved by shorter ones behind it. A sequence alone in a batch is admitted even
 * over the token budget: without chunked prefill there is no other way to run it.
 *
 * <p><b>A shared prefix is computed once.</b> If a waiting sequence's first uncached block is one
 * that a sequence already admitted to this same prefill is about to compute, it waits one step and
 * then reuses it, instead of computing a copy (the grouped workload: many documents under one
 * long instruction prefix, all arriving together).
 *
 * <p><b>Preemption by recompute.</b> When a decode step needs a new block and none is free, the
 * most recently admitted running sequence is preempted: its blocks are released (they stay
 * reusable by hash) and it goes back to waiting with its generated tokens, to be prefilled again
 * over prompt + generated later. Newest-first loses the least work and lets the oldest requests
 * finish. Recompute rather than swap, because a CPU or single-GPU worker has nowhere faster to
 * swap to, and the prefix cache often makes the recompute cheap.
 *
 * <p>Not thread-safe: one engine thread calls everything.
 */
public final class Scheduler {
  private final BlockManager blocks;
  private final int maxNumSeqs;
  private final int maxNumBatchedTokens;
  private final int eosTokenId;
  private final List<Sequence> waiting = new ArrayList<>();
  /** In admission order: the last is the next to preempt. */
  private final List<Sequence> running = new ArrayList<>();
  private long arrivals;

  /**
   * @param eosTokenId the model's end-of-sequence token, or -1 if it has none
   */
  public Scheduler(BlockManager blocks, int maxNumSeqs, int maxNumBatchedTokens, int eosTokenId) {
    if (maxNumSeqs < 1 || maxNumBatchedTokens < 1) {
      throw new IllegalArgumentException("maxNumSeqs and maxNumBatchedTokens must be >= 1, got " + maxNumSeqs + ", " + maxNumBatchedTokens);
    }
    this.blocks = blocks;
    this.maxNumSeqs = maxNumSeqs;
    this.maxNumBatchedTokens = maxNumBatchedTokens;
    this.eosTokenId = eosTokenId;
  }

  /**
   * Queue a new sequence.
   *
   * @throws IllegalArgumentException if it could not finish even with the whole cache to itself
   */
  public void add(Sequence seq) {
    if (seq.arrival() >= 0 || seq.status() != SequenceStatus.WAITING) {
      throw new IllegalArgumentException(seq + " was already added");
    }
    // The last sampled token's K/V is never computed, hence the -1.
    int worst = blocks.blocksFor(seq.promptLength() + seq.params().maxTokens() - 1);
    if (worst > blocks.numBlocks()) {
      throw new IllegalArgumentException(seq + " may need " + worst + " KV blocks, the cache has " + blocks.numBlocks());
    }
    seq.setArrival(arrivals++);
    waiting.add(seq);
  }

  /** Stop a waiting or running sequence now and free its blocks; a finished one is left as is. */
  public void cancel(Sequence seq) {
    if (seq.isFinished()) {
      return;
    }
    if (running.remove(seq)) {
      blocks.deallocate(seq);
    } else {
      waiting.remove(seq);
    }
    seq.finish(FinishReason.CANCELLED);
  }

  public boolean isIdle() {
    return waiting.isEmpty() && running.isEmpty();
  }

  public List<Sequence> waiting() {
    return Collections.unmodifiableList(waiting);
  }

  public List<Sequence> running() {
    return Collections.unmodifiableList(running);
  }

  public BlockManager blockManager() {
    return blocks;
  }

  /** The next step: a prefill if any waiting sequence fits, else a decode; empty when idle. */
  public ScheduledBatch schedule() {
    List<Sequence> prefill = admit();
    if (!prefill.isEmpty()) {
      return ScheduledBatch.of(ScheduledBatch.Phase.PREFILL, prefill, blocks);
    }
    List<Sequence> decode = new ArrayList<>();
    for (int i = 0; i < running.size(); i++) {
      Sequence seq = running.get(i);
      boolean preemptedSelf = false;
      while (!blocks.canAppend(seq)) {
        Sequence victim = running.get(running.size() - 1);
        preempt(victim);
        if (victim == seq) {
          preemptedSelf = true;
          break;
        }
      }
      if (preemptedSelf) {
        break;
      }
      blocks.mayAppend(seq);
      decode.add(seq);
    }
    if (decode.isEmpty()) {
      return ScheduledBatch.empty();
    }
    return ScheduledBatch.of(ScheduledBatch.Phase.DECODE, decode, blocks);
  }

  /**
   * Take one step's results: {@code sampled[i]} is the token sampled for
   * {@code batch.sequences().get(i)}. Appends it, finishes sequences that hit a stop condition and
   * frees their blocks. Sequences cancelled since scheduling are skipped.
   */
  public void postprocess(ScheduledBatch batch, int[] sampled) {
    if (sampled.length != batch.size()) {
      throw new IllegalArgumentException("batch has " + batch.size() + " sequences, got " + sampled.length + " tokens");
    }
    for (int i = 0; i < batch.size(); i++) {
      Sequence seq = batch.sequences().get(i);
      if (seq.isFinished()) {
        continue;
      }
      int computed = seq.length() - seq.kvLength();
      if (batch.phase() == ScheduledBatch.Phase.PREFILL) {
        seq.countPrefill(computed, seq.numCachedTokens());
      } else {
        seq.countDecodeStep();
      }
      blocks.markComputed(seq);
      int token = sampled[i];
      seq.appendToken(token);
      FinishReason reason = stopReason(seq, token);
      if (reason != null) {
        seq.finish(reason);
        running.remove(seq);
        blocks.deallocate(seq);
      }
    }
  }

  private FinishReason stopReason(Sequence seq, int token) {
    SamplingParams p = seq.params();
    if (p.stopTokenIds().contains(token) || (token == eosTokenId && !p.ignoreEos())) {
      return FinishReason.STOP;
    }
    if (seq.numGenerated() >= p.maxTokens()) {
      return FinishReason.LENGTH;
    }
    return null;
  }

  private List<Sequence> admit() {
    List<Sequence> batch = new ArrayList<>();
    if (waiting.isEmpty() || running.size() >= maxNumSeqs) {
      return batch;
    }
    Map<Sequence, Integer> cached = new HashMap<>();
    for (Sequence seq : waiting) {
      cached.put(seq, blocks.cachedPrefixTokens(seq));
    }
    List<Sequence> order = new ArrayList<>(waiting);
    order.sort(Comparator.<Sequence>comparingInt(cached::get).reversed().thenComparingLong(Sequence::arrival));
    Set<Long> computing = new HashSet<>(); // chained hashes of full blocks this prefill computes
    int budget = maxNumBatchedTokens;
    for (Sequence seq : order) {
      if (running.size() >= maxNumSeqs) {
        break;
      }
      // Fresh: admissions earlier in this loop may have evicted what the sort saw.
      int hit = blocks.cachedPrefixTokens(seq);
      int firstMiss = hit / blocks.blockSize();
      long[] hashes = blocks.chainHashes(seq, seq.length() / blocks.blockSize());
      if (firstMiss < blocks.cacheableBlocks(seq) && computing.contains(hashes[firstMiss])) {
        continue; // another sequence in this batch computes that block: reuse it next step
      }
      int toCompute = seq.length() - hit;
      if ((!batch.isEmpty() && toCompute > budget) || !blocks.canAllocate(seq)) {
        break;
      }
      blocks.allocate(seq);
      for (int b = firstMiss; b < hashes.length; b++) {
        computing.add(hashes[b]);
      }
      budget -= toCompute;
      waiting.remove(seq);
      running.add(seq);
      seq.setStatus(SequenceStatus.RUNNING);
      batch.add(seq);
    }
    return batch;
  }

  private void preempt(Sequence seq) {
    running.remove(seq);
    blocks.deallocate(seq);
    seq.setStatus(SequenceStatus.WAITING);
    seq.countPreemption();
    waiting.add(seq);
  }
}
