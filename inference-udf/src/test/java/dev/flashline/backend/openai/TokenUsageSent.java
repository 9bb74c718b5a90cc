package dev.flashline.backend.openai;

/**
 * The usage the server put in a response, in one dialect-free form, so a test can compare what was
 * billed with what the client recorded. {@code prompt = hit + miss}.
 */
public record TokenUsageSent(long prompt, long hit, long miss, long completion, long reasoning) {
  public static final TokenUsageSent ZERO = new TokenUsageSent(0, 0, 0, 0, 0);

  public TokenUsageSent plus(TokenUsageSent other) {
    return new TokenUsageSent(
        prompt + other.prompt,
        hit + other.hit,
        miss + other.miss,
        completion + other.completion,
        reasoning + other.reasoning);
  }

  public long total() {
    return prompt + completion;
  }
}
