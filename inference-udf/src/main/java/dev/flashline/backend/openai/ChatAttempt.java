package dev.flashline.backend.openai;

import dev.flashline.cost.TokenUsage;
import java.time.Instant;

/**
 * One HTTP request of a call and what came of it. Usage is what the server reported for this
 * request, or null when it reported none (a 429, a reset, a body that did not parse): such a
 * request is not billed, because nothing is invented.
 *
 * @param status the HTTP status, 0 when no response arrived
 * @param outcome what happened, for people (for example "ok", "HTTP 429", "timeout after 30 s")
 */
public record ChatAttempt(Instant sentAt, int status, TokenUsage usage, String outcome) {}
