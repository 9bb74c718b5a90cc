package dev.flashline.backend.openai;

import dev.flashline.task.ChatMessage;
import java.util.List;
import java.util.Objects;

/** One chat-completions request as the task wants it; {@link ChatClient} adds the endpoint's options. */
public record ChatCall(String model, List<ChatMessage> messages, boolean jsonMode, int maxOutputTokens) {
  public ChatCall {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat call needs at least one message");
    }
    if (maxOutputTokens < 1) {
      throw new IllegalArgumentException("maxOutputTokens must be at least 1, got " + maxOutputTokens);
    }
  }
}
