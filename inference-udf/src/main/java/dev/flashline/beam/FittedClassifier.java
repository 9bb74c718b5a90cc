package dev.flashline.beam;

import dev.flashline.backend.local.FewShotClassifier;
import java.io.Serializable;

/**
 * The classifier every worker applies, and the CPU it took to fit (embedding the examples and
 * adapting to the sample), which the records share equally.
 */
public record FittedClassifier(FewShotClassifier classifier, double fitCpuSeconds) implements Serializable {}
