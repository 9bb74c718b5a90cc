package dev.flashline.backend.openai;

import java.util.List;

/**
 * The end of a call: the answer's text, or why there is none, with every request it took.
 *
 * @param content the model's message content ("" when the server sent none); null when failed
 */
public record ChatReply(String content, CallFailure failure, List<ChatAttempt> attempts) {
  public ChatReply {
    attempts = List.copyOf(attempts);
    if ((content == null) == (failure == null)) {
      throw new IllegalArgumentException("a reply has either content or a failure");
    }
  }

  public boolean ok() {
    return failure == null;
  }
}
