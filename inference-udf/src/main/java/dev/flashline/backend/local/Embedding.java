package dev.flashline.backend.local;

/**
 * A unit-length text vector and what it took to compute it.
 *
 * @param vector L2-normalised, (dimension)
 * @param tokens tokens run through the encoder, special tokens and every window included
 * @param truncated whether the text was longer than the encoder's window budget and its tail was
 *     not embedded
 */
public record Embedding(float[] vector, int tokens, boolean truncated) {}
