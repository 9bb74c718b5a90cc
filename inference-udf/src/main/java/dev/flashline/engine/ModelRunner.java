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
    float[] logits = model.forward(step, cache); // (seqs, vocab)
    int vocab = model.config().vocab();
    int[] sampled = new int[seqIds.length];
    for (int s = 0; s < seqIds.length; s++) {
      Sequence seq = sequences.get(s);
      sampled[s] = Sampler.sample(logits, s * vocab, vocab, seq.params(), seq.id(), seq.numGenerated());
    }
    return sampled;
  }

  /** Bytes of K/V memory the runner holds. */
  public long cacheBytes() {
    var config = model.config();
    return 2L * 4 * config.layers() * cache.numBlocks() * cache.blockSize() * config.kvHeads() * config.headDim();
  }
}
