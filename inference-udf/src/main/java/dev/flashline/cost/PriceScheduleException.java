package dev.flashline.cost;

/** A prices file that cannot be used; the message names the file, the line where known, and the field. */
public final class PriceScheduleException extends Exception {
  private static final long serialVersionUID = 1L;

  public PriceScheduleException(String message) {
    super(message);
  }

  public PriceScheduleException(String message, Throwable cause) {
    super(message, cause);
  }
}
