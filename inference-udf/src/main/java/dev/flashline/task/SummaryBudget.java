package dev.flashline.task;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Counts and enforces a summary's word and sentence budget, the same way for every backend. */
public final class SummaryBudget {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private SummaryBudget() {}

  /** Sentences, with line breaks treated as boundaries too (lists and headings have no full stop). */
  public static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    for (String paragraph : text.split("\\R+")) {
      BreakIterator iterator = BreakIterator.getSentenceInstance(Locale.ENGLISH);
      iterator.setText(paragraph);
      int start = iterator.first();
      for (int end = iterator.next(); end != BreakIterator.DONE; start = end, end = iterator.next()) {
        String sentence = WHITESPACE.matcher(paragraph.substring(start, end).strip()).replaceAll(" ");
        if (!sentence.isEmpty()) {
          out.add(sentence);
        }
      }
    }
    return out;
  }

  public static int words(String text) {
    String stripped = text.strip();
    return stripped.isEmpty() ? 0 : WHITESPACE.split(stripped).length;
  }

  /** Why the summary is over budget, or null when it fits. */
  public static String overBudget(String summary, SummarySpec budget) {
    int words = words(summary);
    int sentences = sentences(summary).size();
    if (words > budget.maxWords()) {
      return words + " words, the budget is " + budget.maxWords();
    }
    if (sentences > budget.maxSentences()) {
      return sentences + " sentences, the budget is " + budget.maxSentences();
    }
    return null;
  }

  /**
   * Cuts a summary to the budget: whole sentences while they fit, then words of the first
   * sentence when even it is too long.
   */
  public static String trim(String summary, SummarySpec budget) {
    List<String> sentences = sentences(summary);
    StringBuilder out = new StringBuilder();
    int words = 0;
    int kept = 0;
    for (String sentence : sentences) {
      int n = words(sentence);
      if (kept == budget.maxSentences() || words + n > budget.maxWords()) {
        break;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(sentence);
      words += n;
      kept++;
    }
    if (kept == 0 && !sentences.isEmpty()) {
      String[] first = WHITESPACE.split(sentences.get(0).strip());
      return String.join(" ", List.of(first).subList(0, Math.min(first.length, budget.maxWords()))) + " …";
    }
    return out.toString();
  }
}
