package dev.flashline.backend.local;

import dev.flashline.task.SummarySpec;
import dev.flashline.task.SummaryBudget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Extractive summaries: the sentences closest to the document's centre of meaning, in their
 * original order, within the job's word and sentence budget. Near-duplicate sentences are picked
 * once.
 */
public final class ExtractiveSummariser {
  /** Sentences considered per document; beyond this the cost grows with no gain in a short summary. */
  static final int MAX_SENTENCES = 256;

  /** Two sentences this similar say the same thing; the summary keeps only the more central one. */
  static final double DUPLICATE = 0.95;

  private ExtractiveSummariser() {}

  /**
   * @param tokens tokens run through the encoder
   * @param sentences sentences the document was split into
   */
  public record Summary(String text, int tokens, int sentences) {}

  public static Summary summarise(EncoderModel model, String text, SummarySpec budget) {
    List<String> sentences = sentences(text);
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException("the text has no sentences to summarise");
    }
    int totalWords = sentences.stream().mapToInt(ExtractiveSummariser::words).sum();
    if (sentences.size() <= budget.maxSentences() && totalWords <= budget.maxWords()) {
      return new Summary(String.join(" ", sentences), 0, sentences.size());
    }
    List<String> considered = sentences.subList(0, Math.min(sentences.size(), MAX_SENTENCES));
    List<float[]> vectors = new ArrayList<>(considered.size());
    int tokens = 0;
    for (String sentence : considered) {
      Embedding embedding = model.embed(sentence);
      vectors.add(embedding.vector());
      tokens += embedding.tokens();
    }
    float[] centre = Vectors.centroid(vectors, model.dimension());
    double[] centrality = vectors.stream().mapToDouble(v -> Vectors.dot(v, centre)).toArray();
    List<Integer> byCentrality =
        IntStream.range(0, considered.size())
            .boxed()
            .sorted(Comparator.<Integer>comparingDouble(i -> -centrality[i]).thenComparingInt(i -> i))
            .toList();

    List<Integer> chosen = new ArrayList<>();
    int words = 0;
    for (int i : byCentrality) {
      if (chosen.size() == budget.maxSentences()) {
        break;
      }
      int length = words(considered.get(i));
      if (words + length > budget.maxWords()) {
        continue;
      }
      boolean duplicate = chosen.stream().anyMatch(j -> Vectors.dot(vectors.get(i), vectors.get(j)) >= DUPLICATE);
      if (!duplicate) {
        chosen.add(i);
        words += length;
      }
    }
    if (chosen.isEmpty()) {
      // Even the most central sentence is over budget: keep its first maxWords words.
      String[] first = considered.get(byCentrality.get(0)).split("\\s+");
      return new Summary(String.join(" ", List.of(first).subList(0, budget.maxWords())) + " …", tokens, sentences.size());
    }
    chosen.sort(Integer::compare);
    StringBuilder out = new StringBuilder();
    for (int i : chosen) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(considered.get(i));
    }
    return new Summary(out.toString(), tokens, sentences.size());
  }

  static List<String> sentences(String text) {
    return SummaryBudget.sentences(text);
  }

  static int words(String sentence) {
    return SummaryBudget.words(sentence);
  }
}
