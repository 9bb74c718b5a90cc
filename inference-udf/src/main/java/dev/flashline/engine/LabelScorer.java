package dev.flashline.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Classification without generation: the probability the model gives each label as the
 * continuation of the prompt. Each label becomes one sequence, prompt + label, whose label tokens
 * are scored in its prefill; the prompt's whole blocks are computed once and shared through the
 * prefix cache, by the labels of one record and by every record under the same system prompt.
 */
public final class LabelScorer {
  private LabelScorer() {}

  /** Whatever runs scoring sequences: a {@link LoadedModel}, or an engine a test steps itself. */
  @FunctionalInterface
  public interface Engine {
    CompletableFuture<Sequence> score(int[] prompt, int scoredTokens);
  }

  /**
   * @param logLikelihoods (labels) the natural-log likelihood of each label's tokens after the prompt
   * @param sequences (labels) the sequence that scored each label, for its accounting
   */
  public record Scores(double[] logLikelihoods, List<Sequence> sequences) {
    /** Each label's probability among the labels: a softmax over their log-likelihoods. */
    public double[] probabilities() {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : logLikelihoods) {
        max = Math.max(max, v);
      }
      double total = 0;
      double[] out = new double[logLikelihoods.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.exp(logLikelihoods[i] - max);
        total += out[i];
      }
      for (int i = 0; i < out.length; i++) {
        out[i] /= total;
      }
      return out;
    }

    /** The most likely label's index (the first on ties). */
    public int best() {
      int best = 0;
      for (int i = 1; i < logLikelihoods.length; i++) {
        if (logLikelihoods[i] > logLikelihoods[best]) {
          best = i;
        }
      }
      return best;
    }

    /** Prompt tokens the labels' prefills computed, all labels together. */
    public long tokensComputed() {
      return sequences.stream().mapToLong(Sequence::promptTokensComputed).sum();
    }

    /** Prompt tokens the prefix cache supplied, all labels together. */
    public long tokensReused() {
      return sequences.stream().mapToLong(Sequence::promptTokensReused).sum();
    }

    /** Engine seconds attributed to the labels' sequences. */
    public double computeSeconds() {
      return sequences.stream().mapToDouble(Sequence::computeSeconds).sum();
    }
  }

  /**
   * @param prompt the prompt's token ids, up to where the label's first token would go
   * @param labels each label's token ids, non-empty
   */
  public static CompletableFuture<Scores> score(Engine engine, int[] prompt, List<int[]> labels) {
    if (prompt.length == 0 || labels.isEmpty()) {
      throw new IllegalArgumentException("scoring needs a prompt and at least one label");
    }
    List<CompletableFuture<Sequence>> pending = new ArrayList<>();
    for (int l = 0; l < labels.size(); l++) {
      int[] label = labels.get(l);
      if (label.length == 0) {
        throw new IllegalArgumentException("label " + l + " has no tokens");
      }
      int[] all = java.util.Arrays.copyOf(prompt, prompt.length + label.length);
      System.arraycopy(label, 0, all, prompt.length, label.length);
      pending.add(engine.score(all, label.length));
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<Sequence> sequences = pending.stream().map(CompletableFuture::join).toList();
      double[] logp = new double[sequences.size()];
      for (int l = 0; l < logp.length; l++) {
        for (double v : sequences.get(l).scoredLogprobs()) {
          logp[l] += v;
        }
      }
      return new Scores(logp, sequences);
    });
  }
}
