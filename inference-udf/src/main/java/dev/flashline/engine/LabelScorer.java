package dev.flashline.engine;

import dev.flashline.engine.layers.KvCache;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.engine.models.VarlenBatch;
import java.util.List;

/**
 * Classification without generation: the probability the model gives each label as the
 * continuation of the prompt. The prompt is computed once; each label's tokens then continue from
 * it, overwriting the previous label's cache rows (attention at position p reads only rows 0..p,
 * so rows a longer earlier label left behind are never read).
 */
public final class LabelScorer {
  private final LlamaModel model;

  public LabelScorer(LlamaModel model) {
    this.model = model;
  }

  /**
   * @param prompt the prompt's token ids, up to where the label's first token would go
   * @param labels each label's token ids, non-empty
   * @return (labels) the log-likelihood of each label's tokens after the prompt
   */
  public double[] logLikelihoods(int[] prompt, List<int[]> labels) {
    if (prompt.length == 0 || labels.isEmpty()) {
      throw new IllegalArgumentException("scoring needs a prompt and at least one label");
    }
    int vocab = model.config().vocab();
    KvCache cache = model.newContiguousCache();
    float[] afterPrompt = model.forward(VarlenBatch.prompt(prompt, 0), cache); // (1, vocab)
    double[] out = new double[labels.size()];
    for (int l = 0; l < labels.size(); l++) {
      int[] label = labels.get(l);
      if (label.length == 0) {
        throw new IllegalArgumentException("label " + l + " has no tokens");
      }
      double logp = logSoftmax(afterPrompt, 0, vocab, label[0]);
      if (label.length > 1) {
        int[] continuation = java.util.Arrays.copyOf(label, label.length - 1);
        float[] rows = model.forwardAllLogits(
            VarlenBatch.of(new int[][] {continuation}, new int[] {prompt.length}, new int[] {0}), cache); // (k-1, vocab)
        for (int j = 1; j < label.length; j++) {
          logp += logSoftmax(rows, (j - 1) * vocab, vocab, label[j]);
        }
      }
      out[l] = logp;
    }
    return out;
  }

  /** Each label's probability among the labels: a softmax over their log-likelihoods. */
  public double[] probabilities(int[] prompt, List<int[]> labels) {
    double[] logp = logLikelihoods(prompt, labels);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logp) {
      max = Math.max(max, v);
    }
    double total = 0;
    double[] out = new double[logp.length];
    for (int i = 0; i < logp.length; i++) {
      out[i] = Math.exp(logp[i] - max);
      total += out[i];
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= total;
    }
    return out;
  }

  private static double logSoftmax(float[] logits, int offset, int vocab, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[offset + v]);
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += Math.exp(logits[offset + v] - max);
    }
    return logits[offset + token] - max - Math.log(sum);
  }
}
