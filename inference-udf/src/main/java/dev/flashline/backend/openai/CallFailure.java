package dev.flashline.backend.openai;

import java.util.Objects;

/**
 * Why a call produced no answer. The code starts the row's error text, so reports can count
 * failures by reason.
 */
public record CallFailure(Code code, String message) {
  public enum Code {
    /** The account has no balance left (HTTP 402): nothing more is sent in this job. */
    insufficient_balance,
    /** Still rate limited (HTTP 429) after every attempt. */
    rate_limited,
    /** Server errors (HTTP 5xx) after every attempt. */
    server_error,
    /** No complete answer within the request deadline, after every attempt. */
    timeout,
    /** The connection failed (refused, reset, closed mid-body) after every attempt. */
    connection,
    /** The server's answer was not a chat completion, after every attempt. */
    malformed_response,
    /** The server refused the request as invalid (HTTP 400, 422 and other 4xx): retrying cannot help. */
    rejected,
    /** The model's answer was unusable even after a corrective retry. */
    invalid_output,
    /** Not sent: its projected cost would have crossed the job's cost cap ({@code --max-cost}). */
    budget
  }

  public CallFailure {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** As written to a row's error: {@code code: message}. */
  public String describe() {
    return code + ": " + message;
  }
}
