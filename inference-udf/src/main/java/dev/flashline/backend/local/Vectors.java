package dev.flashline.backend.local;

/** The few vector operations the local backend needs, on float arrays. */
final class Vectors {
  private Vectors() {}

  static float[] normalise(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    if (norm == 0) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  /** Dot product; four independent sums so the JIT can keep several multiply-adds in flight. */
  static double dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int n = a.length;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * b[i];
    }
    return (double) s0 + s1 + s2 + s3;
  }

  /** Normalised mean of unit vectors: the direction they share. */
  static float[] centroid(Iterable<float[]> vectors, int dimension) {
    float[] sum = new float[dimension];
    for (float[] v : vectors) {
      for (int i = 0; i < dimension; i++) {
        sum[i] += v[i];
      }
    }
    return normalise(sum);
  }
}
