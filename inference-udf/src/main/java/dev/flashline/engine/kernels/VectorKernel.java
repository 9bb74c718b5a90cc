package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.Fp8E4M3;
import dev.flashline.engine.quant.Fp8Matrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Java Vector API ({@code jdk.incubator.vector}, an incubator module in Java 17), the widest
 * float vectors the CPU has ({@code SPECIES_PREFERRED}: 16 lanes with AVX-512, 8 with AVX2):
 * register tiles of 4 rows of {@code x} by 4 weight rows, one vector accumulator per output element,
 * fused multiply-adds.
 *
 * <p><b>This class references the incubator module directly.</b> Nothing may touch it unless the
 * module is in the boot layer; {@link Kernels} checks that first and loads it by name, so a JVM
 * started without {@code --add-modules jdk.incubator.vector} never links it and gets
 * {@link ScalarKernel}.
 *
 * <p><b>Summation order of one output element</b>, fixed whatever the batch or tile: with
 * {@code L} lanes and {@code B = in - in % L},
 *
 * <ol>
 *   <li>lane {@code k} accumulates {@code acc_k = fma(x[i], w[i], acc_k)} over {@code i = k, k + L,
 *       ... < B}, in that order, starting from {@code +0};
 *   <li>the lanes are summed as a fixed pairwise tree: {@code acc_k += acc_(k + h)} for {@code h =
 *       L/2, L/4, ..., 1} (not {@code reduceLanes}, whose order the API leaves open and which may
 *       differ between the interpreter and compiled code);
 *   <li>the tail {@code i = B ... in - 1} is added in order with scalar {@code Math.fma}.
 * </ol>
 *
 * Every step is exactly specified IEEE arithmetic, so results depend on the lane count (the
 * machine) but on nothing else. FP8 weights are decoded with vector bit arithmetic to the same fp32
 * values as {@link Fp8Matrix#dequantize()} (the E4M3 exponent and mantissa moved into fp32 position,
 * scaled by {@code 2^120}, which is exact for normal and subnormal codes alike, then one multiply by
 * the block's {@code scale_inv}; the NaN codes to NaN), into a scratch chunk of 16 weight rows that
 * the fp32 tiles then read: FP8 equals fp32 on the dequantised matrix to the bit.
 */
final class VectorKernel implements MatmulKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Bytes of L codes; null when L * 8 bits is below the smallest vector (then FP8 decodes in scalar). */
  private static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

  // The lane tree's steps: FOLD_h moves lane k + h onto lane k. Separate constants, not an array, so that
  // the JIT sees each shuffle as a constant and emits one permute (from an array it boxes every step).
  private static final VectorShuffle<Float> FOLD_64 = fold(64);
  private static final VectorShuffle<Float> FOLD_32 = fold(32);
  private static final VectorShuffle<Float> FOLD_16 = fold(16);
  private static final VectorShuffle<Float> FOLD_8 = fold(8);
  private static final VectorShuffle<Float> FOLD_4 = fold(4);
  private static final VectorShuffle<Float> FOLD_2 = fold(2);
  private static final VectorShuffle<Float> FOLD_1 = fold(1);

  private static VectorShuffle<Float> fold(int h) {
    return VectorShuffle.fromOp(F, k -> (k + h) & (L - 1));
  }

  private static final int CHUNK = 32;
  private static final int FP8_CHUNK = 16;
  private static final int ROW_BLOCK = 64;

  /** @throws IllegalStateException where this kernel cannot pay: then {@link Kernels} falls back to scalar */
  VectorKernel() {
    if (L < 4) {
      throw new IllegalStateException("vectors of " + L + " floats are no faster than scalar code");
    }
    if (L > Fp8Matrix.BLOCK || Fp8Matrix.BLOCK % L != 0 || Integer.bitCount(L) != 1) {
      throw new IllegalStateException(L + " float lanes do not tile 128-wide FP8 blocks");
    }
  }

  @Override
  public String name() {
    return Kernels.VECTOR;
  }

  @Override
  public void gemmF32(float[] x, int rows, float[] w, int out, int in, float[] y) {
    OutputChunks.check(x, rows, in, y, out, w.length, (long) out * in);
    OutputChunks.forEach(rows, out, in, CHUNK, (o0, o1) -> panel(x, rows, in, w, o0 * in, o1 - o0, y, out, o0));
  }

  @Override
  public void gemmFp8(float[] x, int rows, Fp8Matrix w, float[] y) {
    int in = w.in();
    int out = w.out();
    OutputChunks.check(x, rows, in, y, out, w.codes().length, (long) out * in);
    OutputChunks.forEach(rows, out, in, FP8_CHUNK, (o0, o1) -> {
      float[] scratch = OutputChunks.scratch((o1 - o0) * in); // the chunk's weight rows, dequantised
      for (int o = o0; o < o1; o++) {
        dequantizeRow(w, o, scratch, (o - o0) * in);
      }
      panel(x, rows, in, scratch, 0, o1 - o0, y, out, o0);
    });
  }

  /** Row {@code row} of {@code w.dequantize()} into {@code dst[offset, offset + in)}, bit for bit. */
  static void dequantizeRow(Fp8Matrix w, int row, float[] dst, int offset) {
    if (B == null) {
      w.dequantizeRow(row, dst, offset);
      return;
    }
    byte[] codes = w.codes();
    float[] scaleInv = w.scaleInv();
    int in = w.in();
    int base = row * in;
    int scaleRow = (row / Fp8Matrix.BLOCK) * Fp8Matrix.blockCols(in);
    int bound = F.loopBound(in);
    int i = 0;
    for (; i < bound; i += L) { // L divides 128: a vector never straddles two scale blocks
      float scale = scaleInv[scaleRow + i / Fp8Matrix.BLOCK];
      IntVector code = (IntVector) ByteVector.fromArray(B, codes, base + i).convertShape(VectorOperators.B2I, I, 0);
      IntVector magnitude = code.and(0x7F); // exponent and mantissa; the sign is bit 31 after sign extension
      FloatVector value = magnitude.lanewise(VectorOperators.LSHL, 20).reinterpretAsFloats().mul(0x1p120f)
          .reinterpretAsInts().or(code.and(0x80000000)).reinterpretAsFloats();
      VectorMask<Float> nan = magnitude.eq(0x7F).cast(F); // 0x7F and 0xFF are NaN in E4M3FN
      value.blend(Float.NaN, nan).mul(scale).intoArray(dst, offset + i);
    }
    for (; i < in; i++) {
      dst[offset + i] = Fp8E4M3.decode(codes[base + i]) * scaleInv[scaleRow + i / Fp8Matrix.BLOCK];
    }
  }

  /**
   * {@code y[r][o0 + j]} for every row {@code r} and {@code j < n}, weight row {@code j} starting at
   * {@code w[w0 + j * in]}: 4x4 tiles, then 1x4 for the last rows, then single dot products for the
   * last outputs, all with the same per-element order.
   */
  static void panel(float[] x, int rows, int in, float[] w, int w0, int n, float[] y, int out, int o0) {
    float[] lanes = new float[16 * L]; // a 4x4 tile's accumulators, spilled for the lane sums
    for (int rb = 0; rb < rows; rb += ROW_BLOCK) {
      int re = Math.min(rows, rb + ROW_BLOCK);
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int wj = w0 + j * in;
        int r = rb;
        for (; r + 4 <= re; r += 4) {
          tile4x4(x, r * in, in, w, wj, y, r * out + o0 + j, out, lanes);
        }
        for (; r < re; r++) {
          tile1x4(x, r * in, in, w, wj, y, r * out + o0 + j, lanes);
        }
      }
      for (; j < n; j++) {
        int wj = w0 + j * in;
        for (int r = rb; r < re; r++) {
          y[r * out + o0 + j] = dot(x, r * in, w, wj, in, lanes);
        }
      }
    }
  }

  private static void tile4x4(float[] x, int x0, int in, float[] w, int w0, float[] y, int y0, int out, float[] lanes) {
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    int w1 = w0 + in;
    int w2 = w1 + in;
    int w3 = w2 + in;
    FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
    int bound = F.loopBound(in);
    for (int i = 0; i < bound; i += L) {
      FloatVector b0 = FloatVector.fromArray(F, w, w0 + i);
      FloatVector b1 = FloatVector.fromArray(F, w, w1 + i);
      FloatVector b2 = FloatVector.fromArray(F, w, w2 + i);
      FloatVector b3 = FloatVector.fromArray(F, w, w3 + i);
      FloatVector a = FloatVector.fromArray(F, x, x0 + i);
      s00 = a.fma(b0, s00);
      s01 = a.fma(b1, s01);
      s02 = a.fma(b2, s02);
      s03 = a.fma(b3, s03);
      a = FloatVector.fromArray(F, x, x1 + i);
      s10 = a.fma(b0, s10);
      s11 = a.fma(b1, s11);
      s12 = a.fma(b2, s12);
      s13 = a.fma(b3, s13);
      a = FloatVector.fromArray(F, x, x2 + i);
      s20 = a.fma(b0, s20);
      s21 = a.fma(b1, s21);
      s22 = a.fma(b2, s22);
      s23 = a.fma(b3, s23);
      a = FloatVector.fromArray(F, x, x3 + i);
      s30 = a.fma(b0, s30);
      s31 = a.fma(b1, s31);
      s32 = a.fma(b2, s32);
      s33 = a.fma(b3, s33);
    }
    // Spill the accumulators and reduce them in a loop, one call site the JIT inlines once: 16 inlined
    // reductions overflow its node budget (NodeCountInliningCutoff), and a vector passed to a call it
    // did not inline is boxed on the heap every time. (Folding all 16 trees together with blends and
    // swaps needs fewer instructions but overflows the budget too.)
    s00.intoArray(lanes, 0);
    s01.intoArray(lanes, L);
    s02.intoArray(lanes, 2 * L);
    s03.intoArray(lanes, 3 * L);
    s10.intoArray(lanes, 4 * L);
    s11.intoArray(lanes, 5 * L);
    s12.intoArray(lanes, 6 * L);
    s13.intoArray(lanes, 7 * L);
    s20.intoArray(lanes, 8 * L);
    s21.intoArray(lanes, 9 * L);
    s22.intoArray(lanes, 10 * L);
    s23.intoArray(lanes, 11 * L);
    s30.intoArray(lanes, 12 * L);
    s31.intoArray(lanes, 13 * L);
    s32.intoArray(lanes, 14 * L);
    s33.intoArray(lanes, 15 * L);
    for (int t = 0; t < 16; t++) {
      int r = t >> 2;
      int o = t & 3;
      y[y0 + r * out + o] = finish(lanes, t * L, x, x0 + r * in, w, w0 + o * in, bound, in);
    }
  }

  private static void tile1x4(float[] x, int x0, int in, float[] w, int w0, float[] y, int y0, float[] lanes) {
    int w1 = w0 + in;
    int w2 = w1 + in;
    int w3 = w2 + in;
    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
    int bound = F.loopBound(in);
    for (int i = 0; i < bound; i += L) {
      FloatVector a = FloatVector.fromArray(F, x, x0 + i);
      s0 = a.fma(FloatVector.fromArray(F, w, w0 + i), s0);
      s1 = a.fma(FloatVector.fromArray(F, w, w1 + i), s1);
      s2 = a.fma(FloatVector.fromArray(F, w, w2 + i), s2);
      s3 = a.fma(FloatVector.fromArray(F, w, w3 + i), s3);
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, L);
    s2.intoArray(lanes, 2 * L);
    s3.intoArray(lanes, 3 * L);
    for (int o = 0; o < 4; o++) {
      y[y0 + o] = finish(lanes, o * L, x, x0, w, w0 + o * in, bound, in);
    }
  }

  private static float dot(float[] x, int x0, float[] w, int w0, int in, float[] lanes) {
    FloatVector s = FloatVector.zero(F);
    int bound = F.loopBound(in);
    for (int i = 0; i < bound; i += L) {
      s = FloatVector.fromArray(F, x, x0 + i).fma(FloatVector.fromArray(F, w, w0 + i), s);
    }
    s.intoArray(lanes, 0);
    return finish(lanes, 0, x, x0, w, w0, bound, in);
  }

  /**
   * Steps 2 and 3 of the summation order for the accumulator spilled at {@code lanes[at, at + L)}:
   * the lanes as a fixed pairwise tree, then the tail.
   */
  private static float finish(float[] lanes, int at, float[] x, int x0, float[] w, int w0, int bound, int in) {
    FloatVector acc = FloatVector.fromArray(F, lanes, at);
    // L is a constant: the JIT keeps only the steps this machine's lane count needs.
    if (L > 64) {
      acc = acc.add(acc.rearrange(FOLD_64));
    }
    if (L > 32) {
      acc = acc.add(acc.rearrange(FOLD_32));
    }
    if (L > 16) {
      acc = acc.add(acc.rearrange(FOLD_16));
    }
    if (L > 8) {
      acc = acc.add(acc.rearrange(FOLD_8));
    }
    if (L > 4) {
      acc = acc.add(acc.rearrange(FOLD_4));
    }
    if (L > 2) {
      acc = acc.add(acc.rearrange(FOLD_2));
    }
    if (L > 1) {
      acc = acc.add(acc.rearrange(FOLD_1));
    }
    return tail(acc.lane(0), x, x0, w, w0, bound, in);
  }

  /** Step 3 of the summation order: the elements past the last whole vector, in order. */
  private static float tail(float s, float[] x, int x0, float[] w, int w0, int bound, int in) {
    for (int i = bound; i < in; i++) {
      s = Math.fma(x[x0 + i], w[w0 + i], s);
    }
    return s;
  }

  @Override
  public String toString() {
    return name() + " (" + L + " float lanes)";
  }
}
