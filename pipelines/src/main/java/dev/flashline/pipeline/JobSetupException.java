package dev.flashline.pipeline;

/** The job cannot start as configured (prices, endpoint, key); nothing has run. */
public final class JobSetupException extends Exception {
  public JobSetupException(String message) {
    super(message);
  }
}
