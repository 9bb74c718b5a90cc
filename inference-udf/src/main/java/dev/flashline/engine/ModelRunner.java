package dev.flashline.engine;

import dev.flashline.engine.layers.PagedKvCache;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.engine.models.VarlenBatch;
import java.util.List;

/**
 * Runs one scheduled step on the model: hands each sequence's block table to the paged KV cache,
 * packs the step's tokens (whole uncached prompts and single decode tokens alike) into one varlen
 * batch, runs the forward pass and samples one token per sequence. K/V of prefix blocks shared
 * through the {@link BlockManager} are read, never recomputed.
 */
public final class ModelRunner {
  private final LlamaModel model;
  private final PagedKvCache cache;

  public ModelRunner(LlamaModel model, int numBlocks, int blockSize) {
    this.model = model;
    var config = model.config();
    this.cache = new PagedKvCache(config.layers(), config.kvHeads(), config.headDim(), numBlocks, blockSize);
  }

  /** @return (sequences) the sampled token of each sequence of the batch, in batch order */
  public int[] run(ScheduledBatch batch) {
    List<Sequence> sequences = batch.sequences();
    int[] seqIds = new int[sequences.size()];
    for (int s = 0; s < seqIds.length; s++) {
      Sequence seq = sequences.get(s);
      seqIds[s] = Math.toIntExact(seq.id());
      cache.setBlockTable(seqIds[s], seq.blockTable());
    }
    VarlenBatch step = new VarlenBatch(batch.tokenIds(), batch.positions(), batch.queryStarts(), seqIds);
    float[] h = model.hiddenStates(step, cache); // (tokens, hidden)
    // Rows whose logits are needed: in a prefill the rows before a scored tail, to score it
    // (the scored token at position p is predicted by the row of position p - 1), then each
    // sequence's last token, to sample.
    int[] queryStarts = batch.queryStarts();
    int[] firstRow = new int[seqIds.length];
    int[] rows = new int[seqIds.length + scoredRowsTotal(batch)];
    int n = 0;
    for (int s = 0; s < seqIds.length; s++) {
      firstRow[s] = n;
      int k = scoredRows(batch, sequences.get(s));
      int last = queryStarts[s + 1] - 1;
      for (int j = 0; j < k; j++) {
        rows[n++] = last - k + j;
      }
      rows[n++] = last;
    }
    float[] logits = model.logitsAt(h, rows); // (rows, vocab)
    int vocab = model.config().vocab();
    int[] sampled = new int[seqIds.length];
    for (int s = 0; s < seqIds.length; s++) {
      Sequence seq = sequences.get(s);
      int k = scoredRows(batch, seq);
      if (k > 0) {
        double[] logprobs = new double[k];
        for (int j = 0; j < k; j++) {
          int token = seq.tokenAt(seq.promptLength() - k + j);
          logprobs[j] = Sampler.logProbability(logits, (firstRow[s] + j) * vocab, vocab, token);
        }
        seq.setScoredLogprobs(logprobs);
      }
      sampled[s] = Sampler.sample(logits, (firstRow[s] + k) * vocab, vocab, seq.params(), seq.id(), seq.numGenerated());
    }
    return sampled;
  }

  private static int scoredRowsTotal(ScheduledBatch batch) {
    int total = 0;
    for (Sequence seq : batch.sequences()) {
      total += scoredRows(batch, seq);
    }
    return total;
  }

  /**
   * How many scored-token rows a sequence needs from this step: its scored tail, in the prefill
   * that computes its prompt (the block manager never lets the cache supply those positions).
   */
  private static int scoredRows(ScheduledBatch batch, Sequence seq) {
    if (batch.phase() != ScheduledBatch.Phase.PREFILL || seq.scoredTokens() == 0 || seq.numGenerated() > 0) {
      return 0;
    }
    return seq.scoredTokens();
  }

  /** Bytes of K/V memory the runner holds. */
  public long cacheBytes() {
    var config = model.config();
    return 2L * 4 * config.layers() * cache.numBlocks() * cache.blockSize() * config.kvHeads() * config.headDim();
  }
}
