package dev.flashline.task;

import java.io.Serializable;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recognises input records whose text is one of the job's few-shot examples, so quality figures
 * can leave them out. Differences in whitespace do not count.
 */
public final class ExampleTexts implements Serializable {
  private final Set<String> texts;

  private ExampleTexts(Set<String> texts) {
    this.texts = texts;
  }

  public static ExampleTexts of(JobSpec job) {
    return new ExampleTexts(job.examples().stream().map(Example::text).map(Example::normalise).collect(Collectors.toSet()));
  }

  public boolean contains(String text) {
    return texts.contains(Example.normalise(text));
  }
}
