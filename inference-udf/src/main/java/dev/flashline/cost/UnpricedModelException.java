package dev.flashline.cost;

/**
 * A request cannot be priced: no schedule entry is in force at its instant, or the entry in force
 * has no price for its model. Unchecked because it means the job was started with a prices file
 * that does not cover it, which callers should catch up front with {@link PriceSchedule#prices}.
 */
public final class UnpricedModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnpricedModelException(String message) {
    super(message);
  }
}
