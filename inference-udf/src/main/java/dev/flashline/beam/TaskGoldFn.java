package dev.flashline.beam;

import dev.flashline.schema.Document;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * In a job of several tasks each task has its own gold field; the reader keeps them in the
 * document's metadata under {@link #metadataKey}, and this step makes the task's one the gold label.
 */
public final class TaskGoldFn extends DoFn<Document, Document> {
  private final String task;

  public TaskGoldFn(String task) {
    this.task = task;
  }

  /** Where a reader puts a task's gold label in {@code Document.metadata}. */
  public static String metadataKey(String task) {
    return "gold:" + task;
  }

  @ProcessElement
  public void process(@Element Document document, OutputReceiver<Document> out) {
    String gold = document.getMetadata() == null ? null : document.getMetadata().get(metadataKey(task));
    if (java.util.Objects.equals(gold, document.getGoldLabel() == null ? null : document.getGoldLabel().toString())) {
      out.output(document);
      return;
    }
    out.output(Document.newBuilder(document).setGoldLabel(gold).build());
  }
}
