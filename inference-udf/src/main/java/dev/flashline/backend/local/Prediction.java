package dev.flashline.backend.local;

/**
 * A label and how likely it is to be right.
 *
 * @param confidence the calibrated posterior probability of {@code label}, in [0, 1]
 * @param probabilities posterior of every label, in the job's label order
 */
public record Prediction(String label, double confidence, double[] probabilities) {}
