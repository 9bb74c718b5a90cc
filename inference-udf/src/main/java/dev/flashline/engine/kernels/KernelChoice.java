package dev.flashline.engine.kernels;

/**
 * The kernel {@link Kernels} settled on and why, for logs and benchmark headers.
 *
 * @param kernel the implementation in use
 * @param reason how it was chosen, e.g. "auto: jdk.incubator.vector is not in the boot layer"
 */
public record KernelChoice(MatmulKernel kernel, String reason) {
  @Override
  public String toString() {
    return kernel + " (" + reason + ")";
  }
}
