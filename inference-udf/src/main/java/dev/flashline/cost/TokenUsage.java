package dev.flashline.cost;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;

/**
 * Tokens billed for one request, split the way DeepSeek prices them.
 *
 * @param promptTokens all input tokens; always {@code cacheHitTokens + cacheMissTokens}
 * @param cacheHitTokens input tokens served from the provider's context cache
 * @param cacheMissTokens input tokens not served from the cache
 * @param outputTokens completion tokens, reasoning included (providers bill them as output)
 * @param reasoningTokens the part of {@code outputTokens} spent on reasoning; informational
 */
public record TokenUsage(
    long promptTokens, long cacheHitTokens, long cacheMissTokens, long outputTokens, long reasoningTokens)
    implements Serializable {

  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0);

  public TokenUsage {
    requireCount("promptTokens", promptTokens);
    requireCount("cacheHitTokens", cacheHitTokens);
    requireCount("cacheMissTokens", cacheMissTokens);
    requireCount("outputTokens", outputTokens);
    requireCount("reasoningTokens", reasoningTokens);
    if (cacheHitTokens + cacheMissTokens != promptTokens) {
      throw new IllegalArgumentException(
          "promptTokens (" + promptTokens + ") must equal cacheHitTokens (" + cacheHitTokens
              + ") + cacheMissTokens (" + cacheMissTokens + ")");
    }
    if (reasoningTokens > outputTokens) {
      throw new IllegalArgumentException(
          "reasoningTokens (" + reasoningTokens + ") are part of outputTokens (" + outputTokens
              + ") and cannot exceed them");
    }
  }

  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(
        Math.addExact(promptTokens, other.promptTokens),
        Math.addExact(cacheHitTokens, other.cacheHitTokens),
        Math.addExact(cacheMissTokens, other.cacheMissTokens),
        Math.addExact(outputTokens, other.outputTokens),
        Math.addExact(reasoningTokens, other.reasoningTokens));
  }

  /**
   * Reads the {@code usage} object of an OpenAI-compatible chat-completions response, in
   * DeepSeek's form ({@code prompt_cache_hit_tokens}/{@code prompt_cache_miss_tokens}) or
   * OpenAI's, vLLM's and SGLang's ({@code prompt_tokens_details.cached_tokens}).
   *
   * @return null when the usage is absent or cannot be trusted (missing counts, negative or
   *     fractional numbers, more cached tokens than prompt tokens): a cost must come from the
   *     provider's own counts, never from a guess
   */
  public static TokenUsage fromJson(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long prompt = count(usage, "prompt_tokens");
    long completion = count(usage, "completion_tokens");
    long deepSeekHit = count(usage, "prompt_cache_hit_tokens");
    long deepSeekMiss = count(usage, "prompt_cache_miss_tokens");
    long cached = count(usage.get("prompt_tokens_details"), "cached_tokens");
    long reasoning = count(usage.get("completion_tokens_details"), "reasoning_tokens");
    if (completion == ABSENT
        || completion == INVALID
        || prompt == INVALID
        || deepSeekHit == INVALID
        || deepSeekMiss == INVALID
        || cached == INVALID
        || reasoning == INVALID) {
      return null;
    }

    long hit;
    long miss;
    if (deepSeekHit != ABSENT && deepSeekMiss != ABSENT) {
      // DeepSeek's own split wins over cached_tokens: it is what DeepSeek bills.
      hit = deepSeekHit;
      miss = deepSeekMiss;
      if (hit > Long.MAX_VALUE - miss || (prompt != ABSENT && prompt != hit + miss)) {
        return null;
      }
    } else if (prompt == ABSENT) {
      return null;
    } else if (deepSeekHit != ABSENT) {
      hit = deepSeekHit;
      miss = prompt - hit;
    } else if (deepSeekMiss != ABSENT) {
      miss = deepSeekMiss;
      hit = prompt - miss;
    } else {
      hit = cached == ABSENT ? 0 : cached;
      miss = prompt - hit;
    }
    long reasoningTokens = reasoning == ABSENT ? 0 : reasoning;
    if (hit < 0 || miss < 0 || reasoningTokens > completion) {
      return null;
    }
    return new TokenUsage(hit + miss, hit, miss, completion, reasoningTokens);
  }

  // Real counts are >= 0, so negative sentinels cannot collide with one.
  private static final long ABSENT = -1;
  private static final long INVALID = -2;

  /** The count; {@link #ABSENT} when missing or JSON null; {@link #INVALID} when not a whole number >= 0. */
  private static long count(JsonNode parent, String field) {
    if (parent == null || !parent.isObject()) {
      return ABSENT;
    }
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      return ABSENT;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      return INVALID;
    }
    return value.longValue();
  }

  private static void requireCount(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }
}
