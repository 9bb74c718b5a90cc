package dev.flashline.cost;

import java.util.Arrays;

/**
 * A chat prompt rendered with DeepSeek V3's chat template and tokenized: the token ids the model
 * reads, and where in them each user message's content ends. The ends are where DeepSeek persists
 * a context-cache unit ("at the end of each request's user input"), so a cache model or a
 * grouping heuristic can tell which prefixes a later request may hit.
 *
 * <p>Arrays are copied in and out: a caller cannot change a rendered prompt after the fact.
 *
 * @param ids every token of the prompt, the generation prompt {@code <｜Assistant｜>} last
 * @param userInputEnds for each user message in order, the number of ids up to the end of its
 *     content (so {@code ids[0..end)} is the prompt as it stood when that message was written)
 */
public record RenderedPrompt(int[] ids, int[] userInputEnds) {
  public RenderedPrompt {
    if (ids == null || userInputEnds == null) {
      throw new IllegalArgumentException("ids and userInputEnds are required");
    }
    ids = ids.clone();
    userInputEnds = userInputEnds.clone();
    int previous = 0;
    for (int end : userInputEnds) {
      if (end < previous || end > ids.length) {
        throw new IllegalArgumentException(
            "userInputEnds must ascend within 0.." + ids.length + ": " + Arrays.toString(userInputEnds));
      }
      previous = end;
    }
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public int[] userInputEnds() {
    return userInputEnds.clone();
  }

  /** The number of prompt tokens, as DeepSeek bills them ({@code usage.prompt_tokens}). */
  public int length() {
    return ids.length;
  }

  // Records compare arrays by identity; two renderings of the same prompt must be equal.
  @Override
  public boolean equals(Object o) {
    return o instanceof RenderedPrompt other
        && Arrays.equals(ids, other.ids)
        && Arrays.equals(userInputEnds, other.userInputEnds);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(userInputEnds);
  }

  @Override
  public String toString() {
    return "RenderedPrompt[" + ids.length + " ids, userInputEnds=" + Arrays.toString(userInputEnds) + "]";
  }
}
