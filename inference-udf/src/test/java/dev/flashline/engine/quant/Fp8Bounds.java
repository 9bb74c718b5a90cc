package dev.flashline.engine.quant;

/**
 * The error E4M3 block quantisation may make on one element. With x = w / s in E4M3's range,
 * rounding to nearest moves x by at most half the spacing of its binade: for normals (|x| >= 2^-6,
 * spacing 2^(e-3) in [2^e, 2^(e+1))) that is 2^(e-4) <= |x| 2^-4; below 2^-6 the spacing is a
 * fixed 2^-9, so at most 2^-10. Scaling back by s gives max(|w| 2^-4, s 2^-10), plus the fp32
 * rounding of the divide and multiply (relative 2^-24 each), allowed for with a 2^-20 margin.
 */
final class Fp8Bounds {
  private Fp8Bounds() {}

  static double elementBound(float w, float scaleInv) {
    double bound = Math.max(Math.abs(w) * 0x1p-4, scaleInv * 0x1p-10);
    return bound * (1 + 0x1p-20) + Math.abs(w) * 0x1p-20;
  }
}
