package dev.flashline.grouping;

import dev.flashline.backend.openai.Answer;
import dev.flashline.backend.openai.Answerer;
import dev.flashline.backend.openai.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays a model that follows whichever prompt it gets: a classify prompt gets a label from that
 * prompt's own list (chosen by the document, so answers are stable), a summarise prompt gets the
 * document's first words, a primer gets one word. Records the system prompt of every request in
 * the order they were answered, so tests can see how requests were grouped.
 */
public final class TaskAwareAnswerer implements Answerer {
  private static final Pattern WORDS = Pattern.compile("at most (\\d+) words");
  private static final Pattern LABEL = Pattern.compile("^- ([A-Za-z0-9_-]+)", Pattern.MULTILINE);

  public final Queue<String> systemPrompts = new ConcurrentLinkedQueue<>();
  public final Queue<String> primers = new ConcurrentLinkedQueue<>();
  /** Requests that asked about a document for the first time (not a correction turn). */
  public final Queue<String> firstAsks = new ConcurrentLinkedQueue<>();

  @Override
  public Answer answer(ChatRequest request) {
    String system = request.messages().get(0).content();
    String document = request.document();
    if (document.isEmpty()) {
      primers.add(system);
      return Answer.of("ok");
    }
    systemPrompts.add(system);
    if (request.messages().size() == 2) {
      firstAsks.add(system);
    }
    if (system.startsWith("You write faithful")) {
      // As long as the prompt allows, as one sentence: what a model asked for a summary gives.
      Matcher budget = WORDS.matcher(system);
      int max = budget.find() ? Integer.parseInt(budget.group(1)) : 8;
      String text = document.replace("<document>", "").replace("</document>", "").replaceAll("[.!?]+", " ").strip();
      String[] words = text.split("\\s+");
      return Answer.of(String.join(" ", java.util.Arrays.asList(words).subList(0, Math.min(max, words.length))) + ".");
    }
    List<String> labels = new ArrayList<>();
    Matcher m = LABEL.matcher(system);
    while (m.find()) {
      labels.add(m.group(1));
    }
    String label = labels.get(Math.floorMod(document.hashCode(), labels.size()));
    return Answer.of("{\"label\": \"" + label + "\", \"confidence\": 0.9}");
  }
}
