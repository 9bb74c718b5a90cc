package dev.flashline.engine;

/** Why a sequence stopped; the first two map onto the OpenAI API's {@code finish_reason}. */
public enum FinishReason {
  /** A stop token id or the model's end-of-sequence token was sampled ("stop"). */
  STOP,
  /** {@link SamplingParams#maxTokens()} tokens were generated ("length"). */
  LENGTH,
  /** The caller gave up on it (a client disconnected, a deadline passed). */
  CANCELLED
}
