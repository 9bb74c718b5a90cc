package dev.flashline.backend.openai;

/** How the server reports token usage; clients must read both dialects and cope with none. */
public enum UsageStyle {
  /** {@code prompt_cache_hit_tokens} / {@code prompt_cache_miss_tokens}, as the DeepSeek API. */
  DEEPSEEK,
  /** {@code prompt_tokens_details.cached_tokens}, as OpenAI, vLLM and SGLang. */
  OPENAI,
  /** No {@code usage} field at all, as some self-hosted servers when not asked for it. */
  NONE
}
