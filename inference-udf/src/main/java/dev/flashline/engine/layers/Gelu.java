package dev.flashline.engine.layers;

/**
 * The exact GELU, {@code x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))}, as BERT's {@code hidden_act:
 * "gelu"} computes it (not the tanh approximation). Java has no erf, so it is computed here to
 * near double precision: Taylor series near zero, Laplace's continued fraction for erfc further
 * out.
 */
public final class Gelu {
  private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
  private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

  private Gelu() {}

  /** Applies GELU to every element in place. */
  public static void applyInPlace(float[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) gelu(x[i]);
    }
  }

  public static double gelu(double x) {
    return 0.5 * x * (1 + erf(x * INV_SQRT2));
  }

  /** The error function, accurate to about 1e-14 absolute. */
  public static double erf(double x) {
    double a = Math.abs(x);
    double r;
    if (a < 2.5) {
      // Alternating series; the largest term near a = 2.5 is ~500, costing ~3 of 16 digits.
      double x2 = a * a;
      double term = a;
      double sum = a;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      r = TWO_OVER_SQRT_PI * sum;
    } else if (a < 27) {
      // erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
      double t = a;
      for (int k = 120; k >= 1; k--) {
        t = a + (k / 2.0) / t;
      }
      r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * t);
    } else {
      r = 1; // erfc(27) is below double's resolution near 1
    }
    return x < 0 ? -r : r;
  }
}
