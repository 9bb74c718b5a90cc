package dev.flashline.backend.openai;

/**
 * One chat request as the server saw it, logged once its answer was finished (or abandoned).
 *
 * @param model null when the request was rejected before it was parsed (401, 400)
 * @param document the last user message; null when the request was not parsed
 * @param fault the simple name of the {@link Fault} applied ({@code "None"} for a normal answer,
 *     {@code "Status"} also for the server's own 400 and 401 rejections)
 * @param usage what the response body reported; null when it reported nothing usable
 * @param delivered false when the client cannot have received the whole response: a {@link
 *     Fault.ResetMidBody}, or a write that failed because the client had gone. A write into the
 *     socket buffer of a client that has just gone can still succeed, so true is not proof of
 *     receipt.
 */
public record Exchange(
    int requestNumber,
    String model,
    String document,
    String fault,
    int status,
    TokenUsageSent usage,
    boolean delivered) {

  /** Usage the client may have been billed for and seen: delivered, and reported. */
  public TokenUsageSent deliveredUsage() {
    return delivered && usage != null ? usage : TokenUsageSent.ZERO;
  }
}
