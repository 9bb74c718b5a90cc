package dev.flashline.backend;

import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import java.util.concurrent.CompletableFuture;

/**
 * A model worker that answers one record at a time, asynchronously: the {@code openai} backend
 * (any chat-completions endpoint) and the {@code native} backend (the engine inside the JVM).
 * Each may be asked from many threads at once and batches what it is given its own way (requests
 * in flight, one engine step for many sequences).
 *
 * <p>The {@code local} backend is the exception: its classifier is fitted on a sample of the
 * whole input before any record is answered, so the Beam layer runs it in two steps (embed, then
 * classify in batches against the fitted prototypes) instead of through this interface.
 */
public interface InferenceBackend {
  /** The name rows carry in {@code backend}: openai, native. */
  String name();

  /**
   * The record's one output row: labelled or summarised with its usage and cost, or failed with
   * the reason.
   *
   * @param prior the row of the cascade stage before this one, whose charges the answer keeps;
   *     null when this backend is the first stage
   * @return completes exceptionally only when the record could not be answered at all and the
   *     caller must decide (the openai backend: a rejected key stops the job)
   */
  CompletableFuture<LabelledRecord> answer(Document document, LabelledRecord prior);
}
