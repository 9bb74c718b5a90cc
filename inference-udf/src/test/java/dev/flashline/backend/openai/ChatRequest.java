package dev.flashline.backend.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A chat-completions request as the server understood it.
 *
 * @param jsonMode {@code response_format.type == "json_object"}
 * @param maxTokens {@code max_tokens} (or {@code max_completion_tokens}); null when absent
 * @param raw the whole request body, for tests that check fields this record does not model
 */
public record ChatRequest(
    String model, List<Message> messages, boolean jsonMode, Integer maxTokens, JsonNode raw) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ChatRequest {
    messages = List.copyOf(messages);
  }

  /** The content of the last user message: the record being classified. Empty if there is none. */
  public String document() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return "";
  }

  /** @throws BadRequest naming what is wrong, which the server returns as a 400 body */
  static ChatRequest parse(byte[] body) throws BadRequest {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadRequest("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadRequest("request body is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BadRequest("request body must be a JSON object");
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw new BadRequest("missing field 'model'");
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new BadRequest("missing field 'messages' (a non-empty array)");
    }
    List<Message> parsed = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      parsed.add(message(messages.get(i), i));
    }
    JsonNode format = root.path("response_format").path("type");
    boolean jsonMode = "json_object".equals(format.asText(null));
    JsonNode max = root.hasNonNull("max_tokens") ? root.get("max_tokens") : root.get("max_completion_tokens");
    Integer maxTokens = null;
    if (max != null && !max.isNull()) {
      if (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 1) {
        throw new BadRequest("'max_tokens' must be a positive integer, got " + max);
      }
      maxTokens = max.asInt();
    }
    return new ChatRequest(model.asText(), parsed, jsonMode, maxTokens, root);
  }

  private static Message message(JsonNode node, int index) throws BadRequest {
    if (!node.isObject()) {
      throw new BadRequest("messages[" + index + "] must be an object");
    }
    JsonNode role = node.get("role");
    if (role == null || !role.isTextual()) {
      throw new BadRequest("messages[" + index + "]: missing field 'role'");
    }
    return new Message(role.asText(), content(node.get("content"), index));
  }

  /** A string, or OpenAI's array of content parts of which only the text parts count. */
  private static String content(JsonNode content, int index) throws BadRequest {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if ("text".equals(part.path("type").asText(null))) {
          text.append(part.path("text").asText(""));
        }
      }
      return text.toString();
    }
    throw new BadRequest("messages[" + index + "].content must be a string or an array of parts");
  }

  /** A request the server rejects with 400; the message goes into the error body. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message);
    }
  }
}
