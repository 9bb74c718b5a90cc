package dev.flashline.backend.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded unit vectors scattered around a few random centres: a stand-in for sentence embeddings. */
final class SyntheticClusters {
  static final int DIMENSION = 32;

  private final Random random;
  private final float[][] centres;
  private final double noise;

  /**
   * @param noise length of the noise added to a centre before normalising (about 1 keeps clusters
   *     apart, about 2 makes them overlap)
   */
  SyntheticClusters(long seed, int labels, double noise) {
    this.random = new Random(seed);
    this.noise = noise;
    this.centres = new float[labels][];
    for (int k = 0; k < labels; k++) {
      float[] v = new float[DIMENSION];
      for (int d = 0; d < DIMENSION; d++) {
        v[d] = (float) random.nextGaussian();
      }
      centres[k] = Vectors.normalise(v);
    }
  }

  float[] centre(int label) {
    return centres[label].clone();
  }

  float[] point(int label) {
    return near(centres[label], noise);
  }

  float[] near(float[] centre, double noiseLength) {
    float[] v = new float[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = (float) (centre[d] + noiseLength * random.nextGaussian() / Math.sqrt(DIMENSION));
    }
    return Vectors.normalise(v);
  }

  /** {@code perLabel} examples of every label, interleaved. */
  List<FewShotTrainer.LabelledVector> examples(int perLabel) {
    List<FewShotTrainer.LabelledVector> out = new ArrayList<>();
    for (int i = 0; i < perLabel; i++) {
      for (int k = 0; k < centres.length; k++) {
        out.add(new FewShotTrainer.LabelledVector(point(k), k));
      }
    }
    return out;
  }

  /** One "description" per label: closer to its centre than a typical point. */
  List<float[]> descriptions() {
    List<float[]> out = new ArrayList<>();
    for (float[] centre : centres) {
      out.add(near(centre, noise / 2));
    }
    return out;
  }

  /** Points and their true labels, label 0 with probability {@code share0}, the rest spread evenly. */
  Labelled sample(int n, double share0) {
    List<float[]> vectors = new ArrayList<>();
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      int label = random.nextDouble() < share0 ? 0 : 1 + random.nextInt(centres.length - 1);
      truth[i] = label;
      vectors.add(point(label));
    }
    return new Labelled(vectors, truth);
  }

  record Labelled(List<float[]> vectors, int[] truth) {
    double share(int label) {
      return java.util.Arrays.stream(truth).filter(t -> t == label).count() / (double) truth.length;
    }
  }
}
