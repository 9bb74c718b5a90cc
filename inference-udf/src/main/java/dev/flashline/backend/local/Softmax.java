package dev.flashline.backend.local;

/**
 * Maximum-likelihood fit of {@code p(k | s) = softmax_k(a * s_k + b_k)}, with b_0 fixed at 0, by
 * damped Newton steps. The likelihood is concave in (a, b), so this converges to the optimum; weak
 * L2 penalties keep it finite when the points are separable.
 */
final class Softmax {
  private static final double INITIAL_SCALE = 10;

  private Softmax() {}

  /**
   * @param scores (points, labels)
   * @param truth (points), label index of each point
   * @return {a, b_0, ..., b_{labels-1}}
   */
  static double[] fit(double[][] scores, int[] truth, int labels, double maxScale) {
    int n = scores.length;
    int params = labels; // a, b_1..b_{labels-1}
    // Only a guard against separable points: any stronger and the scale shrinks, the confidence
    // becomes too timid and the class-balance estimate drifts towards the examples' balance.
    double lambdaScale = 1e-7 * n;
    double lambdaOffset = 1e-3 * n;
    double[] theta = new double[params];
    theta[0] = INITIAL_SCALE;
    double loss = loss(scores, truth, labels, theta, lambdaScale, lambdaOffset);
    for (int iteration = 0; iteration < 100; iteration++) {
      double[] gradient = new double[params];
      double[][] hessian = new double[params][params];
      for (int i = 0; i < n; i++) {
        double[] p = probabilities(scores[i], theta, labels);
        double[][] feature = features(scores[i], labels);
        double[] mean = new double[params];
        for (int k = 0; k < labels; k++) {
          double residual = p[k] - (truth[i] == k ? 1 : 0);
          for (int a = 0; a < params; a++) {
            gradient[a] += residual * feature[k][a];
            mean[a] += p[k] * feature[k][a];
          }
        }
        for (int k = 0; k < labels; k++) {
          for (int a = 0; a < params; a++) {
            for (int b = 0; b < params; b++) {
              hessian[a][b] += p[k] * feature[k][a] * feature[k][b];
            }
          }
        }
        for (int a = 0; a < params; a++) {
          for (int b = 0; b < params; b++) {
            hessian[a][b] -= mean[a] * mean[b];
          }
        }
      }
      gradient[0] += lambdaScale * theta[0];
      hessian[0][0] += lambdaScale;
      for (int a = 1; a < params; a++) {
        gradient[a] += lambdaOffset * theta[a];
        hessian[a][a] += lambdaOffset;
      }
      double[] step = solve(hessian, gradient);
      double rate = 1;
      double[] next = theta;
      double nextLoss = loss;
      while (rate > 1e-6) {
        next = theta.clone();
        for (int a = 0; a < params; a++) {
          next[a] -= rate * step[a];
        }
        next[0] = Math.min(Math.max(next[0], 0), maxScale);
        nextLoss = loss(scores, truth, labels, next, lambdaScale, lambdaOffset);
        if (nextLoss <= loss) {
          break;
        }
        rate /= 2;
      }
      if (nextLoss > loss) {
        break;
      }
      double change = 0;
      for (int a = 0; a < params; a++) {
        change = Math.max(change, Math.abs(next[a] - theta[a]));
      }
      theta = next;
      loss = nextLoss;
      if (change < 1e-9) {
        break;
      }
    }
    double[] out = new double[labels + 1];
    out[0] = theta[0];
    for (int k = 1; k < labels; k++) {
      out[k + 1] = theta[k];
    }
    return out;
  }

  /** Gradient of logit k with respect to the parameters: (labels, params). */
  private static double[][] features(double[] s, int labels) {
    double[][] f = new double[labels][labels];
    for (int k = 0; k < labels; k++) {
      f[k][0] = s[k];
      if (k > 0) {
        f[k][k] = 1;
      }
    }
    return f;
  }

  private static double[] probabilities(double[] s, double[] theta, int labels) {
    double[] z = new double[labels];
    for (int k = 0; k < labels; k++) {
      z[k] = theta[0] * s[k] + (k > 0 ? theta[k] : 0);
    }
    return FewShotClassifier.softmax(z);
  }

  private static double loss(
      double[][] scores, int[] truth, int labels, double[] theta, double lambdaScale, double lambdaOffset) {
    double total = 0;
    for (int i = 0; i < scores.length; i++) {
      double[] p = probabilities(scores[i], theta, labels);
      total -= Math.log(Math.max(p[truth[i]], 1e-300));
    }
    total += 0.5 * lambdaScale * theta[0] * theta[0];
    for (int a = 1; a < theta.length; a++) {
      total += 0.5 * lambdaOffset * theta[a] * theta[a];
    }
    return total;
  }

  /** Solves a small symmetric positive-definite system by Gaussian elimination with pivoting. */
  private static double[] solve(double[][] matrix, double[] rhs) {
    int n = rhs.length;
    double[][] a = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(matrix[i], 0, a[i], 0, n);
      a[i][n] = rhs[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
          pivot = row;
        }
      }
      double[] tmp = a[col];
      a[col] = a[pivot];
      a[pivot] = tmp;
      double diagonal = a[col][col];
      if (Math.abs(diagonal) < 1e-12) {
        diagonal = 1e-12;
      }
      for (int row = col + 1; row < n; row++) {
        double factor = a[row][col] / diagonal;
        for (int c = col; c <= n; c++) {
          a[row][c] -= factor * a[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int row = n - 1; row >= 0; row--) {
      double sum = a[row][n];
      for (int c = row + 1; c < n; c++) {
        sum -= a[row][c] * x[c];
      }
      double diagonal = Math.abs(a[row][row]) < 1e-12 ? 1e-12 : a[row][row];
      x[row] = sum / diagonal;
    }
    return x;
  }
}
