package dev.flashline.backend.openai;

/**
 * The endpoint refused our credentials (HTTP 401/403). Every other request would be refused too,
 * so the job stops with this message rather than failing every record.
 */
public final class EndpointAuthException extends RuntimeException {
  public EndpointAuthException(String message) {
    super(message);
  }
}
