package dev.flashline.backend.openai;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for a tokenizer: a run of letters, a run of digits, or any other single
 * non-space character is one token. Real BPE tokenizers give different numbers; what matters here
 * is that tests can compute the expected counts by hand, and that the counts add up exactly.
 */
public final class Tokens {
  private static final Pattern TOKEN = Pattern.compile("\\p{L}+|\\p{N}+|[^\\s\\p{L}\\p{N}]");

  /** Chat templates wrap each message in role markers; a fixed 4 tokens, as OpenAI's cookbook. */
  public static final int PER_MESSAGE = 4;

  private Tokens() {}

  public static int count(String text) {
    Matcher m = TOKEN.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  public static int message(Message message) {
    return count(message.content()) + PER_MESSAGE;
  }

  public static int prompt(List<Message> messages) {
    int n = 0;
    for (Message message : messages) {
      n += message(message);
    }
    return n;
  }

  /** The text up to and including its {@code max}-th token; the text itself if it is shorter. */
  public static String truncate(String text, int max) {
    if (max <= 0) {
      return "";
    }
    Matcher m = TOKEN.matcher(text);
    int n = 0;
    while (m.find()) {
      if (++n == max) {
        return text.substring(0, m.end());
      }
    }
    return text;
  }
}
