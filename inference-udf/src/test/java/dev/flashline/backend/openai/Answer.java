package dev.flashline.backend.openai;

/**
 * What the model "says": the message content, and hidden reasoning tokens that are billed as
 * completion tokens but never appear in the content (as DeepSeek's reasoner bills them).
 */
public record Answer(String content, int reasoningTokens) {
  public Answer {
    if (content == null) {
      throw new IllegalArgumentException("an answer needs content");
    }
    if (reasoningTokens < 0) {
      throw new IllegalArgumentException("reasoning tokens must be >= 0: " + reasoningTokens);
    }
  }

  public static Answer of(String content) {
    return new Answer(content, 0);
  }
}
