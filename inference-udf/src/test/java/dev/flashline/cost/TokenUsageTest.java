package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;

class TokenUsageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TokenUsage read(String json) throws Exception {
    return TokenUsage.fromJson(JSON.readTree(json));
  }

  @Test
  void readsDeepSeekForm() throws Exception {
    TokenUsage usage =
        read(
            """
            {"prompt_tokens": 1200, "completion_tokens": 350, "total_tokens": 1550,
             "prompt_cache_hit_tokens": 1024, "prompt_cache_miss_tokens": 176,
             "completion_tokens_details": {"reasoning_tokens": 300}}
            """);
    assertThat(usage).isEqualTo(new TokenUsage(1200, 1024, 176, 350, 300));
  }

  @Test
  void deepSeekSplitWithoutPromptTokensGivesTheirSum() throws Exception {
    assertThat(read("{\"completion_tokens\": 5, \"prompt_cache_hit_tokens\": 64, \"prompt_cache_miss_tokens\": 36}"))
        .isEqualTo(new TokenUsage(100, 64, 36, 5, 0));
  }

  @Test
  void deepSeekSplitIsPreferredOverCachedTokens() throws Exception {
    assertThat(
            read(
                """
                {"prompt_tokens": 100, "completion_tokens": 5,
                 "prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 36,
                 "prompt_tokens_details": {"cached_tokens": 10}}
                """))
        .isEqualTo(new TokenUsage(100, 64, 36, 5, 0));
  }

  @Test
  void readsOpenAiFormWithCachedTokens() throws Exception {
    TokenUsage usage =
        read(
            """
            {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
             "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0, "accepted_prediction_tokens": 0}}
            """);
    assertThat(usage).isEqualTo(new TokenUsage(2006, 1920, 86, 300, 0));
  }

  @Test
  void withoutCacheFieldsEveryPromptTokenIsAMiss() throws Exception {
    // vLLM without prefix caching reports prompt_tokens_details as null.
    assertThat(read("{\"prompt_tokens\": 42, \"completion_tokens\": 7, \"total_tokens\": 49}"))
        .isEqualTo(new TokenUsage(42, 0, 42, 7, 0));
    assertThat(read("{\"prompt_tokens\": 42, \"completion_tokens\": 7, \"prompt_tokens_details\": null}"))
        .isEqualTo(new TokenUsage(42, 0, 42, 7, 0));
  }

  @Test
  void readsReasoningAsPartOfOutput() throws Exception {
    TokenUsage usage =
        read("{\"prompt_tokens\": 10, \"completion_tokens\": 900, \"completion_tokens_details\": {\"reasoning_tokens\": 850}}");
    assertThat(usage.outputTokens()).isEqualTo(900);
    assertThat(usage.reasoningTokens()).isEqualTo(850);
  }

  @Test
  void missingUsageIsNull() throws Exception {
    assertThat(TokenUsage.fromJson(null)).isNull();
    assertThat(TokenUsage.fromJson(MissingNode.getInstance())).isNull();
    assertThat(TokenUsage.fromJson(NullNode.getInstance())).isNull();
    assertThat(read("[1, 2]")).isNull();
    assertThat(read("{}")).isNull();
    assertThat(read("{\"prompt_tokens\": 10}")).isNull();
    assertThat(read("{\"completion_tokens\": 10}")).isNull();
    JsonNode response = JSON.readTree("{\"choices\": []}");
    assertThat(TokenUsage.fromJson(response.get("usage"))).isNull();
    assertThat(TokenUsage.fromJson(response.path("usage"))).isNull();
  }

  @Test
  void moreCachedThanPromptTokensIsNull() throws Exception {
    assertThat(read("{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"prompt_tokens_details\": {\"cached_tokens\": 11}}"))
        .isNull();
    assertThat(read("{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"prompt_cache_hit_tokens\": 11}")).isNull();
  }

  @Test
  void inconsistentOrMalformedCountsAreNull() throws Exception {
    assertThat(read("{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"prompt_cache_hit_tokens\": 4, \"prompt_cache_miss_tokens\": 5}"))
        .isNull();
    assertThat(read("{\"prompt_tokens\": -1, \"completion_tokens\": 1}")).isNull();
    assertThat(read("{\"prompt_tokens\": 10.5, \"completion_tokens\": 1}")).isNull();
    assertThat(read("{\"prompt_tokens\": \"10\", \"completion_tokens\": 1}")).isNull();
    assertThat(read("{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"completion_tokens_details\": {\"reasoning_tokens\": 2}}"))
        .isNull();
    assertThat(read("{\"prompt_tokens\": 10, \"completion_tokens\": 1, \"prompt_tokens_details\": {\"cached_tokens\": -3}}"))
        .isNull();
  }

  @Test
  void plusAddsEveryCount() {
    TokenUsage a = new TokenUsage(10, 4, 6, 3, 1);
    TokenUsage b = new TokenUsage(5, 5, 0, 2, 0);
    assertThat(a.plus(b)).isEqualTo(new TokenUsage(15, 9, 6, 5, 1));
    assertThat(a.plus(TokenUsage.ZERO)).isEqualTo(a);
  }

  @Test
  void constructorRejectsInconsistentCounts() {
    assertThatThrownBy(() -> new TokenUsage(10, 4, 5, 0, 0)).hasMessageContaining("promptTokens (10)");
    assertThatThrownBy(() -> new TokenUsage(0, 0, 0, -1, 0)).hasMessageContaining("outputTokens must be >= 0");
    assertThatThrownBy(() -> new TokenUsage(0, 0, 0, 1, 2)).hasMessageContaining("reasoningTokens (2)");
  }
}
