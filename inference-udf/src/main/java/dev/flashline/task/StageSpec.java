package dev.flashline.task;

import java.io.Serializable;

/**
 * One step of a cascade: which worker tries the record, and how confident it must be for its
 * answer to stand. A record that falls short (or whose answer is invalid) goes to the next stage.
 *
 * @param stage the name written to each row's {@code stage} (for example local, flash, pro)
 * @param backend local, native or openai; defaults to the backend a stage is named after (local,
 *     native), else openai
 * @param model for an openai stage, the model to ask (default: {@code openai.model})
 * @param acceptConfidence the confidence at or above which this stage's label is final; the last
 *     stage has none, it answers every record it gets
 */
public record StageSpec(String stage, BackendKind backend, String model, Double acceptConfidence)
    implements Serializable {
  public StageSpec {
    if (stage == null || stage.isBlank()) {
      throw new IllegalArgumentException("a cascade stage needs a 'stage' name (for example local, flash or pro)");
    }
    stage = stage.strip();
    if (!stage.matches("[A-Za-z0-9._-]{1,40}")) {
      throw new IllegalArgumentException("stage name '" + stage + "' must be 1-40 letters, digits, '.', '_' or '-'");
    }
    if (backend == null) {
      backend = stage.equals(BackendKind.local.id()) ? BackendKind.local
          : stage.equals(BackendKind.native_.id()) ? BackendKind.native_ : BackendKind.openai;
    }
    model = model == null || model.isBlank() ? null : model.strip();
    if (backend != BackendKind.openai && model != null) {
      throw new IllegalArgumentException(
          "stage '" + stage + "': a " + backend.id() + " stage uses " + backend.id() + ".model, not 'model'");
    }
    if (acceptConfidence != null && !(acceptConfidence > 0 && acceptConfidence <= 1)) {
      throw new IllegalArgumentException(
          "stage '" + stage + "': accept_confidence must be in (0, 1], got " + acceptConfidence);
    }
  }
}
