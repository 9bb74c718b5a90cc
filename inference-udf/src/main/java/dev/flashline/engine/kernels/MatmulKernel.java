package dev.flashline.engine.kernels;

import dev.flashline.engine.quant.Fp8Matrix;

/**
 * The matrix product every linear layer runs, {@code y = x W^T}: activations {@code x} (rows, in)
 * against a weight {@code W} (out, in), into {@code y} (rows, out), all row-major. Two weight formats,
 * two entry points: fp32, and DeepSeek-V3 block-scaled FP8 (E4M3 codes with one fp32
 * {@code scale_inv} per 128x128 block). {@link dev.flashline.engine.F32Linear} and
 * {@link dev.flashline.engine.quant.Fp8Linear} hold a weight and delegate here; {@link Kernels}
 * picks the implementation.
 *
 * <h2>What every implementation guarantees</h2>
 *
 * <ul>
 *   <li><b>A fixed summation order per output element.</b> {@code y[r][o]} depends only on row
 *       {@code r} of {@code x} and row {@code o} of {@code W}: never on how many rows the batch has,
 *       which other rows are in it, where the row falls in a tile or which thread computes it. So a
 *       batched forward pass equals the unbatched one to the bit, which the engine's tests check.
 *   <li><b>FP8 is the fp32 product on the dequantised matrix.</b> {@code gemmFp8(x, rows, w, y)}
 *       equals {@code gemmF32(x, rows, w.dequantize(), w.out(), w.in(), y)} of the same kernel to
 *       the bit: each weight is decoded to exactly {@code decode(code) * scale_inv} (one fp32
 *       multiply, as {@link Fp8Matrix#dequantize()} does) and then goes through the same products and
 *       sums. Only the memory traffic differs (1 byte a weight instead of 4).
 *   <li><b>Close to the exact product.</b> Within a few fp32 roundings per term of a double-precision
 *       product; kernels differ from each other only in rounding (for example the vector kernel
 *       uses fused multiply-adds and sums lanes as a tree), so results are reproducible per kernel
 *       and per machine, not across kernels.
 *   <li><b>Thread-safe and stateless per call</b>: layers are shared by every sequence of a batch
 *       and may be called from any thread. Implementations may fork onto the common fork-join pool.
 * </ul>
 *
 * <h2>Plugging in a CUDA kernel (not built yet)</h2>
 *
 * A CUDA implementation (JavaCPP {@code org.bytedeco:cuda}, cuBLASLt) fits behind the same two
 * entry points:
 *
 * <ul>
 *   <li><b>Device-resident weights.</b> The weight arrays a layer passes are the same objects on
 *       every call and never change after loading, so the kernel uploads each weight on first use
 *       and keeps the device buffer in a map keyed by the array's identity (codes and scales of an
 *       {@link Fp8Matrix} together), freed when the layer is. Only activations cross the bus per
 *       call; a later step moves activations onto the device too (a device tensor type in
 *       {@link dev.flashline.engine.Linear}), which this interface does not need to change for.
 *   <li><b>fp32</b> maps to {@code cublasLtMatmul} (or {@code cublasSgemm}) with {@code W} as the
 *       transposed operand: {@code y^T = W x^T} in cuBLAS's column-major terms, {@code A = W}
 *       ({@code CUBLAS_OP_T}), {@code B = x}, compute type {@code CUBLAS_COMPUTE_32F} (or
 *       {@code _32F_FAST_TF32} where the tolerance allows).
 *   <li><b>FP8</b> maps to {@code cublasLtMatmul} with {@code A = W} as {@code CUDA_R_8F_E4M3} and
 *       {@code CUBLASLT_MATMUL_DESC_A_SCALE_MODE = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F}
 *       pointing at the {@code scale_inv} blocks as stored (CUDA 12.9+, Hopper), and {@code B = x}
 *       quantised per token per 128 channels ({@code ..._VEC128_32F}), as DeepSeek-V3 runs it;
 *       fp32 or bf16 output. Elsewhere (Ada: per-tensor scales only) it dequantises to bf16 on the
 *       device and runs a bf16 GEMM.
 *   <li><b>The contract relaxes on the GPU:</b> cuBLAS picks tile shapes and split-K per problem
 *       size, so its batched and unbatched sums need not agree to the bit, and FP8 activations
 *       change the result beyond fp32 rounding. A CUDA kernel is therefore checked against this
 *       package's CPU kernels within a tolerance (the engine's reference tolerance, 1e-4 of the
 *       largest logit, or the FP8 activation bound), and {@link Kernels} only selects it when asked
 *       for; the CPU kernels stay the numerical reference and the fallback.
 * </ul>
 */
public interface MatmulKernel {
  /** A short name for logs and benchmarks, as {@link Kernels#PROPERTY} spells it. */
  String name();

  /**
   * {@code y = x W^T} with an fp32 weight.
   *
   * @param x (rows, in) row-major; only the first {@code rows * in} values are read
   * @param w (out, in) row-major
   * @param y (rows, out) row-major; the first {@code rows * out} values are overwritten
   */
  void gemmF32(float[] x, int rows, float[] w, int out, int in, float[] y);

  /**
   * {@code y = x W^T} with a block-scaled FP8 weight, equal to the bit to
   * {@code gemmF32(x, rows, w.dequantize(), w.out(), w.in(), y)}.
   *
   * @param x (rows, w.in()) row-major
   * @param y (rows, w.out()) row-major, overwritten
   */
  void gemmFp8(float[] x, int rows, Fp8Matrix w, float[] y);
}
