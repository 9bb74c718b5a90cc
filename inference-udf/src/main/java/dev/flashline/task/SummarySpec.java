package dev.flashline.task;

/**
 * The length budget of a summary. Words rather than tokens so the budget means the same thing
 * whatever backend and tokenizer produce the summary.
 */
public record SummarySpec(Integer maxWords, Integer maxSentences) implements java.io.Serializable {
  public static final int DEFAULT_MAX_WORDS = 60;
  public static final int DEFAULT_MAX_SENTENCES = 3;

  public SummarySpec {
    if (maxWords == null) {
      maxWords = DEFAULT_MAX_WORDS;
    }
    if (maxSentences == null) {
      maxSentences = DEFAULT_MAX_SENTENCES;
    }
    if (maxWords < 1) {
      throw new IllegalArgumentException("summary.max_words must be at least 1, got " + maxWords);
    }
    if (maxSentences < 1) {
      throw new IllegalArgumentException("summary.max_sentences must be at least 1, got " + maxSentences);
    }
  }

  public static SummarySpec defaults() {
    return new SummarySpec(null, null);
  }
}
