package dev.flashline.backend.openai;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.task.ChatMessage;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@link CacheModel.DeepSeek}: prompts rendered with DeepSeek V3's chat template and counted with
 * its tokenizer, answers counted likewise, hits from {@link DeepSeekCache}. The hit is looked up as
 * the request is admitted and units are created when it is answered, so requests in flight
 * together all miss. A request queued behind keep-alive lines is looked up on arrival, a little
 * earlier than DeepSeek would; tests of the cache do not queue.
 */
final class DeepSeekTokenMeter implements TokenMeter {
  private final DeepSeekTokenizer tokenizer = DeepSeekTokenizer.instance();
  private final DeepSeekCache cache;

  DeepSeekTokenMeter(CacheModel.DeepSeek model, LongSupplier nanoClock) {
    this.cache = new DeepSeekCache(model, nanoClock);
  }

  DeepSeekCache cache() {
    return cache;
  }

  @Override
  public Metered admit(ChatRequest request) {
    List<ChatMessage> messages =
        request.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList();
    DeepSeekCache.Prefill prefill = cache.lookup(tokenizer.render(messages));
    return (answer, record) -> {
      String content = answer.content();
      String finishReason = "stop";
      int[] completion = tokenizer.ids(content);
      if (request.maxTokens() != null && completion.length > request.maxTokens()) {
        content = truncate(content, request.maxTokens());
        completion = tokenizer.ids(content);
        finishReason = "length";
      }
      if (record) {
        cache.complete(prefill, completion);
      }
      int prompt = prefill.promptTokens();
      int hit = prefill.hitTokens();
      int reasoning = answer.reasoningTokens();
      return new Billed(
          content,
          finishReason,
          new TokenUsageSent(prompt, hit, prompt - hit, completion.length + reasoning, reasoning));
    };
  }

  /**
   * The longest prefix of {@code text}, cut between code points, of at most {@code max} tokens.
   * Bisects on counts rather than decoding ids, which could split a character's bytes.
   */
  private String truncate(String text, int max) {
    int[] widths = text.codePoints().map(Character::charCount).toArray();
    int[] ends = new int[widths.length + 1];
    for (int i = 0; i < widths.length; i++) {
      ends[i + 1] = ends[i] + widths[i];
    }
    int lo = 0; // tokens of text[0..ends[lo]) <= max
    int hi = widths.length;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (tokenizer.count(text.substring(0, ends[mid])) <= max) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return text.substring(0, ends[lo]);
  }
}
