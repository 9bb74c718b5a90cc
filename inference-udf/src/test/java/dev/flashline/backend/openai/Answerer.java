package dev.flashline.backend.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Plays the model: what the assistant answers to a request. Must be thread-safe. */
@FunctionalInterface
public interface Answerer {
  Answer answer(ChatRequest request);

  /**
   * Answers {@code {"label":"<label>","confidence":<c>}} with the label of the first keyword found,
   * case-insensitively, in the document, else {@code otherwiseLabel}. "First" is the map's
   * iteration order: pass a {@link LinkedHashMap} when keywords can overlap.
   */
  static Answerer classifyByKeyword(
      Map<String, String> keywordToLabel, String otherwiseLabel, double confidence) {
    // Copy now so a caller's later change cannot alter answers mid-test; keep the caller's order.
    Map<String, String> keywords = new LinkedHashMap<>();
    keywordToLabel.forEach((k, v) -> keywords.put(k.toLowerCase(Locale.ROOT), v));
    ObjectMapper json = new ObjectMapper();
    return request -> {
      String document = request.document().toLowerCase(Locale.ROOT);
      String label = otherwiseLabel;
      for (Map.Entry<String, String> e : keywords.entrySet()) {
        if (document.contains(e.getKey())) {
          label = e.getValue();
          break;
        }
      }
      ObjectNode answer = json.createObjectNode().put("label", label).put("confidence", confidence);
      return Answer.of(answer.toString());
    };
  }

  /** Answers the first {@code words} whitespace-separated words of the document. */
  static Answerer summaryFirstWords(int words) {
    if (words < 1) {
      throw new IllegalArgumentException("words must be >= 1: " + words);
    }
    return request ->
        Answer.of(
            Arrays.stream(request.document().strip().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .limit(words)
                .collect(Collectors.joining(" ")));
  }

  static Answerer defaultAnswerer() {
    return classifyByKeyword(Map.of(), "other", 0.9);
  }
}
