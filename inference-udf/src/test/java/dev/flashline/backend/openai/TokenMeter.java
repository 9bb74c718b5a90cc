package dev.flashline.backend.openai;

/**
 * Counts a request's tokens and its context-cache hits the way the server's {@link CacheModel}
 * says; one per server, thread-safe.
 */
interface TokenMeter {

  static TokenMeter of(CacheModel model) {
    if (model instanceof CacheModel.DeepSeek deepSeek) {
      return new DeepSeekTokenMeter(deepSeek, System::nanoTime);
    }
    return new SimpleTokenMeter();
  }

  /**
   * Called when the server accepts a request, which is when a real server would start its prefill
   * and look up its cache; nothing is recorded until {@link Metered#bill}.
   */
  Metered admit(ChatRequest request);

  /** One admitted request. */
  interface Metered {
    /**
     * The answer as sent (cut at {@code max_tokens}) and its usage.
     *
     * @param record false for a response that never completed (the client was cut off): it warms
     *     no cache
     */
    Billed bill(Answer answer, boolean record);
  }

  /** @param finishReason {@code "length"} when the content was cut at {@code max_tokens} */
  record Billed(String content, String finishReason, TokenUsageSent usage) {
    public Billed {
      if (content == null || finishReason == null || usage == null) {
        throw new IllegalArgumentException("content, finishReason and usage are required");
      }
    }
  }
}
