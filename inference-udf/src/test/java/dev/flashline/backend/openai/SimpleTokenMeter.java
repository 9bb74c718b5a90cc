package dev.flashline.backend.openai;

/**
 * {@link CacheModel#simple()}: {@link Tokens} and {@link PrefixCache}, the cache decided when the
 * answer is produced, as this server always did, so existing tests keep their hand-derived numbers.
 */
final class SimpleTokenMeter implements TokenMeter {
  private final PrefixCache cache = new PrefixCache();

  @Override
  public Metered admit(ChatRequest request) {
    return (answer, record) -> {
      String content = answer.content();
      String finishReason = "stop";
      if (request.maxTokens() != null && Tokens.count(content) > request.maxTokens()) {
        content = Tokens.truncate(content, request.maxTokens());
        finishReason = "length";
      }
      int prompt = Tokens.prompt(request.messages());
      int hit = record ? cache.hitThenRecord(request.messages()) : cache.hit(request.messages());
      int reasoning = answer.reasoningTokens();
      return new Billed(
          content,
          finishReason,
          new TokenUsageSent(prompt, hit, prompt - hit, Tokens.count(content) + reasoning, reasoning));
    };
  }
}
