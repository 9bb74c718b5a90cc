package dev.flashline.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Turns a model's raw answer into a label (or summary) the job allows, or says exactly why it
 * cannot. Whatever a document says, only a label of the job's set gets through.
 */
public final class AnswerParser implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_QUOTED = 80;

  private final List<String> labels;
  private final SummarySpec summary;

  /** A usable answer: the label (or summary), and the confidence when the model gave one. */
  public record Parsed(String value, Double confidence) {}

  /** An answer that cannot be used, and why; {@code problem} is written for the model and for people. */
  public record Result(Parsed parsed, String problem) {
    public boolean ok() {
      return parsed != null;
    }

    static Result of(String value, Double confidence) {
      return new Result(new Parsed(value, confidence), null);
    }

    static Result invalid(String problem) {
      return new Result(null, problem);
    }
  }

  public AnswerParser(JobSpec job) {
    this.labels = job.labelNames();
    this.summary = job.summary();
  }

  public Result label(String answer) {
    if (answer == null || answer.isBlank()) {
      return Result.invalid("the answer is empty");
    }
    JsonNode node = parseObject(answer.strip());
    if (node == null) {
      return Result.invalid("the answer is not a JSON object: " + quote(answer));
    }
    JsonNode labelNode = node.get("label");
    if (labelNode == null || !labelNode.isTextual()) {
      return Result.invalid("the JSON object has no string field \"label\": " + quote(answer));
    }
    String label = canonical(labelNode.asText());
    if (label == null) {
      return Result.invalid("\"" + truncate(labelNode.asText()) + "\" is not one of the labels " + labels);
    }
    JsonNode confidenceNode = node.get("confidence");
    if (confidenceNode == null || confidenceNode.isNull()) {
      return Result.of(label, null);
    }
    double confidence;
    if (confidenceNode.isNumber()) {
      confidence = confidenceNode.asDouble();
    } else if (confidenceNode.isTextual()) {
      try {
        confidence = Double.parseDouble(confidenceNode.asText().strip());
      } catch (NumberFormatException e) {
        return Result.invalid("\"confidence\" is not a number: " + quote(confidenceNode.asText()));
      }
    } else {
      return Result.invalid("\"confidence\" is not a number: " + quote(confidenceNode.toString()));
    }
    if (!(confidence >= 0 && confidence <= 1)) {
      return Result.invalid("\"confidence\" must be between 0 and 1, got " + confidence);
    }
    return Result.of(label, confidence);
  }

  /** A summary must be non-empty; {@link #overBudget} says when it is too long. */
  public Result summary(String answer) {
    if (answer == null || answer.isBlank()) {
      return Result.invalid("the summary is empty");
    }
    return Result.of(answer.strip(), null);
  }

  public String overBudget(String summaryText) {
    return SummaryBudget.overBudget(summaryText, summary);
  }

  public String trim(String summaryText) {
    return SummaryBudget.trim(summaryText, summary);
  }

  /** The label as declared: exact, else ignoring case and surrounding space. */
  private String canonical(String value) {
    if (labels.contains(value)) {
      return value;
    }
    String wanted = value.strip().toLowerCase(Locale.ROOT);
    for (String label : labels) {
      if (label.toLowerCase(Locale.ROOT).equals(wanted)) {
        return label;
      }
    }
    return null;
  }

  /**
   * JSON mode gives a bare object; servers without it may wrap it in a code fence or a sentence,
   * so fall back to the outermost braces.
   */
  private static JsonNode parseObject(String text) {
    JsonNode node = readTree(text);
    if (node == null) {
      int start = text.indexOf('{');
      int end = text.lastIndexOf('}');
      if (start >= 0 && end > start) {
        node = readTree(text.substring(start, end + 1));
      }
    }
    return node != null && node.isObject() ? node : null;
  }

  private static JsonNode readTree(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String quote(String text) {
    return "'" + truncate(text.strip()) + "'";
  }

  private static String truncate(String text) {
    return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "…";
  }
}
