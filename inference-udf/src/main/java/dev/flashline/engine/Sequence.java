package dev.flashline.engine;

import java.util.Arrays;

/**
 * One request moving through the engine: its prompt, the tokens generated so far, where its K/V
 * lives in the paged cache, and what it cost.
 *
 * <p>The token ids are the prompt followed by the generated tokens. The K/V of the first
 * {@link #kvLength()} of them is in the cache; between steps that is every token but the last
 * sampled one, whose K/V the next decode step computes. Only the engine thread mutates a sequence
 * (through {@link Scheduler} and {@link BlockManager}); others may read it between steps.
 */
public final class Sequence {
  private final long id;
  private final int promptLength;
  private final SamplingParams params;
  private int[] tokens;
  private int length;
  private int[] blockTable = new int[4];
  private int numBlocks;
  private SequenceStatus status = SequenceStatus.WAITING;
  private FinishReason finishReason;
  private long arrival = -1; // set once by Scheduler.add: the tie-break among equal cached prefixes
  private int kvLength;
  private int numCachedTokens;
  private long promptTokensComputed;
  private long promptTokensReused;
  private long decodeSteps;
  private int preemptions;
  private final int scoredTokens;
  private double[] scoredLogprobs;
  private double computeSeconds;

  public Sequence(long id, int[] promptTokenIds, SamplingParams params) {
    this(id, promptTokenIds, params, 0);
  }

  /**
   * @param scoredTokens how many of the prompt's last tokens to score: their log-probabilities
   *     given the tokens before them are kept in {@link #scoredLogprobs()} (classification scores a
   *     label this way). At least one token must come before them.
   */
  public Sequence(long id, int[] promptTokenIds, SamplingParams params, int scoredTokens) {
    if (promptTokenIds.length == 0) {
      throw new IllegalArgumentException("sequence " + id + " has an empty prompt: there is nothing to compute logits from");
    }
    if (scoredTokens < 0 || scoredTokens >= promptTokenIds.length) {
      throw new IllegalArgumentException(
          "sequence " + id + ": can score 0 to " + (promptTokenIds.length - 1) + " of its " + promptTokenIds.length + " prompt tokens, not " + scoredTokens);
    }
    this.scoredTokens = scoredTokens;
    this.id = id;
    this.params = params;
    this.promptLength = promptTokenIds.length;
    this.tokens = Arrays.copyOf(promptTokenIds, promptTokenIds.length + Math.min(params.maxTokens(), 256));
    this.length = promptTokenIds.length;
  }

  public long id() {
    return id;
  }

  public SamplingParams params() {
    return params;
  }

  /** Prompt plus generated tokens. */
  public int length() {
    return length;
  }

  public int promptLength() {
    return promptLength;
  }

  public int numGenerated() {
    return length - promptLength;
  }

  public int tokenAt(int position) {
    if (position < 0 || position >= length) {
      throw new IndexOutOfBoundsException("position " + position + " of a sequence of " + length);
    }
    return tokens[position];
  }

  public int lastToken() {
    return tokens[length - 1];
  }

  public int[] tokenIds() {
    return Arrays.copyOf(tokens, length);
  }

  public int[] promptTokenIds() {
    return Arrays.copyOf(tokens, promptLength);
  }

  public int[] generatedTokenIds() {
    return Arrays.copyOfRange(tokens, promptLength, length);
  }

  public SequenceStatus status() {
    return status;
  }

  public boolean isFinished() {
    return status == SequenceStatus.FINISHED;
  }

  /** Null until the sequence is finished. */
  public FinishReason finishReason() {
    return finishReason;
  }

  /** The ids of the cache blocks holding this sequence's K/V, in position order (a copy). */
  public int[] blockTable() {
    return Arrays.copyOf(blockTable, numBlocks);
  }

  public int numBlocks() {
    return numBlocks;
  }

  public int blockId(int index) {
    if (index < 0 || index >= numBlocks) {
      throw new IndexOutOfBoundsException("block " + index + " of " + numBlocks);
    }
    return blockTable[index];
  }

  /** How many leading tokens have their K/V in the cache (computed, or reused from the prefix cache). */
  public int kvLength() {
    return kvLength;
  }

  /**
   * Tokens whose K/V the prefix cache supplied at the latest admission: a whole number of blocks,
   * and never the last token (see {@link BlockManager}).
   */
  public int numCachedTokens() {
    return numCachedTokens;
  }

  /**
   * Prompt tokens this sequence's prefill steps computed, over all its admissions. After a
   * preemption the recompute counts too (the generated tokens then are part of the re-prefill):
   * it is work done for this record, so cost attribution should see it.
   */
  public long promptTokensComputed() {
    return promptTokensComputed;
  }

  /** Prompt tokens served from the prefix cache, over all admissions. */
  public long promptTokensReused() {
    return promptTokensReused;
  }

  /** Decode steps this sequence took part in (one token each; prefill steps sample one more). */
  public long decodeSteps() {
    return decodeSteps;
  }

  /** How many times it lost its KV cache to make room for others. */
  public int preemptions() {
    return preemptions;
  }

  /** How many trailing prompt tokens are scored (0: none). */
  public int scoredTokens() {
    return scoredTokens;
  }

  /**
   * (scoredTokens) the natural-log probability of each scored prompt token given all tokens
   * before it; null until the prefill that computed them.
   */
  public double[] scoredLogprobs() {
    return scoredLogprobs == null ? null : scoredLogprobs.clone();
  }

  /**
   * Seconds of engine time attributed to this sequence: each step's time, split over the step's
   * sequences in proportion to the tokens each had computed in it. Reused prefix tokens cost
   * nothing; a recompute after preemption counts.
   */
  public double computeSeconds() {
    return computeSeconds;
  }

  @Override
  public String toString() {
    return "Sequence[" + id + ", " + status + ", prompt " + promptLength + ", generated " + numGenerated() + ", blocks " + numBlocks + "]";
  }

  // ---- mutators for the scheduler and block manager (engine thread only) ----

  /** The backing array, valid up to {@link #length()}: lets hashing read tokens without a copy. */
  int[] tokenBuffer() {
    return tokens;
  }

  void appendToken(int token) {
    if (status == SequenceStatus.FINISHED) {
      throw new IllegalStateException(this + " is finished");
    }
    if (length == tokens.length) {
      tokens = Arrays.copyOf(tokens, Math.max(16, tokens.length * 2));
    }
    tokens[length++] = token;
  }

  void addBlock(int blockId) {
    if (numBlocks == blockTable.length) {
      blockTable = Arrays.copyOf(blockTable, blockTable.length * 2);
    }
    blockTable[numBlocks++] = blockId;
  }

  void clearBlocks() {
    numBlocks = 0;
    kvLength = 0;
  }

  void setKvLength(int kvLength) {
    this.kvLength = kvLength;
  }

  void setNumCachedTokens(int numCachedTokens) {
    this.numCachedTokens = numCachedTokens;
  }

  void setStatus(SequenceStatus status) {
    this.status = status;
  }

  void finish(FinishReason reason) {
    this.status = SequenceStatus.FINISHED;
    this.finishReason = reason;
  }

  long arrival() {
    return arrival;
  }

  void setArrival(long arrival) {
    this.arrival = arrival;
  }

  void countPrefill(int computed, int reused) {
    promptTokensComputed += computed;
    promptTokensReused += reused;
  }

  void countDecodeStep() {
    decodeSteps++;
  }

  void setScoredLogprobs(double[] logprobs) {
    this.scoredLogprobs = logprobs;
  }

  void addComputeSeconds(double seconds) {
    computeSeconds += seconds;
  }

  void countPreemption() {
    preemptions++;
  }
}
