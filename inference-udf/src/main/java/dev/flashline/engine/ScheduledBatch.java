package dev.flashline.engine;

import java.util.List;

/**
 * One engine step: the sequences to run and, flattened over them, the tokens whose K/V the step
 * computes, in the layout a paged-attention model runner consumes (nano-vllm's
 * {@code prepare_prefill}/{@code prepare_decode}).
 *
 * <p>Sequence i computes tokens {@code [queryStarts[i], queryStarts[i+1])} of the flat arrays: in a
 * prefill its uncached tail (positions {@code numCachedTokens .. length-1}), in a decode its last
 * token. For each such token the runner writes K and V at {@code slotMapping} (block id x block
 * size + offset), attends over the sequence's first {@code length} tokens through its
 * {@link Sequence#blockTable() block table}, and samples from the logits of the last token of
 * each sequence, in order: {@link Scheduler#postprocess} takes one token per sequence.
 *
 * <p>The arrays are a snapshot taken at scheduling and belong to the batch: read, don't modify.
 */
public final class ScheduledBatch {
  /** A prefill computes prompts (many tokens per sequence); a decode one token per sequence. */
  public enum Phase {
    PREFILL,
    DECODE
  }

  private final Phase phase;
  private final List<Sequence> sequences;
  private final int[] tokenIds;
  private final int[] positions;
  private final int[] slotMapping;
  private final int[] queryStarts;

  ScheduledBatch(Phase phase, List<Sequence> sequences, int[] tokenIds, int[] positions, int[] slotMapping, int[] queryStarts) {
    if (tokenIds.length != positions.length || tokenIds.length != slotMapping.length) {
      throw new IllegalArgumentException("token, position and slot arrays differ in length");
    }
    if (queryStarts.length != sequences.size() + 1 || queryStarts[sequences.size()] != tokenIds.length) {
      throw new IllegalArgumentException("queryStarts must have one entry per sequence plus the total");
    }
    this.phase = phase;
    this.sequences = List.copyOf(sequences);
    this.tokenIds = tokenIds;
    this.positions = positions;
    this.slotMapping = slotMapping;
    this.queryStarts = queryStarts;
  }

  /** Build the flat arrays from each sequence's current state: tokens {@code [kvLength, length)}. */
  static ScheduledBatch of(Phase phase, List<Sequence> sequences, BlockManager blocks) {
    int total = 0;
    for (Sequence s : sequences) {
      total += s.length() - s.kvLength();
    }
    int[] tokenIds = new int[total];
    int[] positions = new int[total];
    int[] slots = new int[total];
    int[] starts = new int[sequences.size() + 1];
    int t = 0;
    for (int i = 0; i < sequences.size(); i++) {
      Sequence s = sequences.get(i);
      starts[i] = t;
      for (int p = s.kvLength(); p < s.length(); p++, t++) {
        tokenIds[t] = s.tokenAt(p);
        positions[t] = p;
        slots[t] = blocks.slot(s, p);
      }
    }
    starts[sequences.size()] = t;
    return new ScheduledBatch(phase, sequences, tokenIds, positions, slots, starts);
  }

  static ScheduledBatch empty() {
    return new ScheduledBatch(Phase.DECODE, List.of(), new int[0], new int[0], new int[0], new int[1]);
  }

  public Phase phase() {
    return phase;
  }

  public List<Sequence> sequences() {
    return sequences;
  }

  public int size() {
    return sequences.size();
  }

  public boolean isEmpty() {
    return sequences.isEmpty();
  }

  /** Tokens this step computes, over all sequences. */
  public int numTokens() {
    return tokenIds.length;
  }

  public int[] tokenIds() {
    return tokenIds;
  }

  public int[] positions() {
    return positions;
  }

  /** For each token computed, the cache slot its K/V goes to. */
  public int[] slotMapping() {
    return slotMapping;
  }

  /** Offsets of each sequence's tokens in the flat arrays, plus the total at the end (cu_seqlens_q). */
  public int[] queryStarts() {
    return queryStarts;
  }

  @Override
  public String toString() {
    return phase + " of " + sequences.size() + " sequences, " + tokenIds.length + " tokens";
  }
}
