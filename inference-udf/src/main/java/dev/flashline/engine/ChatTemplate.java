package dev.flashline.engine;

import dev.flashline.task.ChatMessage;
import java.util.List;

/**
 * How chat messages become one prompt for a model family. The prompt of a conversation starts
 * with the same text as the prompt of its first turns, so a shared system message gives a shared
 * token prefix and the engine's prefix cache serves it.
 */
public enum ChatTemplate {
  /** ChatML, as Qwen2 and Qwen3 are trained on. */
  CHATML {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder out = new StringBuilder();
      for (ChatMessage m : messages) {
        out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
      }
      return out.append("<|im_start|>assistant\n").toString();
    }

    @Override
    public List<String> stopMarkers() {
      return List.of("<|im_end|>", "<|endoftext|>");
    }
  },
  /** Llama 3's header format. */
  LLAMA3 {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder out = new StringBuilder("<|begin_of_text|>");
      for (ChatMessage m : messages) {
        out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n").append(m.content()).append("<|eot_id|>");
      }
      return out.append("<|start_header_id|>assistant<|end_header_id|>\n\n").toString();
    }

    @Override
    public List<String> stopMarkers() {
      return List.of("<|eot_id|>", "<|end_of_text|>");
    }
  };

  /** The conversation up to an open assistant turn: the model's answer comes next. */
  public abstract String render(List<ChatMessage> messages);

  /** The special tokens with which the family ends its turn or its text: generation stops at them. */
  public abstract List<String> stopMarkers();

  /** The template a checkpoint's {@code model_type} was trained with; ChatML when unknown. */
  public static ChatTemplate forModelType(String modelType) {
    return "llama".equals(modelType) ? LLAMA3 : CHATML;
  }
}
