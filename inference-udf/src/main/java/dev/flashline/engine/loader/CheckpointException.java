package dev.flashline.engine.loader;

/**
 * A checkpoint on disk is malformed or lacks what the model needs. The message always names the
 * file (or checkpoint directory) and, where there is one, the tensor, because the person reading
 * it has to find the broken shard among many.
 */
public final class CheckpointException extends RuntimeException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
