package dev.flashline.backend.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The JSON of a non-streaming chat completion, as DeepSeek (or an OpenAI-style server) sends it. */
final class CompletionBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CompletionBody() {}

  static byte[] json(
      int requestNumber,
      String model,
      String content,
      String finishReason,
      TokenUsageSent usage,
      UsageStyle style,
      long createdEpochSecond) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-" + requestNumber)
        .put("object", "chat.completion")
        .put("created", createdEpochSecond)
        .put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    switch (style) {
      case DEEPSEEK -> {
        ObjectNode u = usageTotals(root, usage);
        u.put("prompt_cache_hit_tokens", usage.hit()).put("prompt_cache_miss_tokens", usage.miss());
        u.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
      }
      case OPENAI -> {
        ObjectNode u = usageTotals(root, usage);
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.hit());
        u.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
      }
      case NONE -> {}
    }
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode usageTotals(ObjectNode root, TokenUsageSent usage) {
    return root.putObject("usage")
        .put("prompt_tokens", usage.prompt())
        .put("completion_tokens", usage.completion())
        .put("total_tokens", usage.total());
  }

  /** Cut mid-JSON: a client that parses it fails, one that greps it finds no usage. */
  static byte[] malformed(int requestNumber) {
    return ("{\"id\":\"chatcmpl-" + requestNumber + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":")
        .getBytes(StandardCharsets.UTF_8);
  }
}
