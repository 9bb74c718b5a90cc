package dev.flashline.task;

/** A job spec that cannot run; the message names the file, the line where known, and the field. */
public final class JobSpecException extends Exception {
  public JobSpecException(String message) {
    super(message);
  }

  public JobSpecException(String message, Throwable cause) {
    super(message, cause);
  }
}
