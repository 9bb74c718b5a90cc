package dev.flashline.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class KernelsTest {
  private static final Supplier<MatmulKernel> FAKE_VECTOR = () -> new MatmulKernel() {
    @Override
    public String name() {
      return "fake-vector";
    }

    @Override
    public void gemmF32(float[] x, int rows, float[] w, int out, int in, float[] y) {}

    @Override
    public void gemmFp8(float[] x, int rows, dev.flashline.engine.quant.Fp8Matrix w, float[] y) {}
  };

  private static final Supplier<MatmulKernel> BROKEN_VECTOR = () -> {
    throw new NoClassDefFoundError("jdk/incubator/vector/FloatVector");
  };

  @Test
  void autoTakesTheVectorKernelOnlyWhenTheModuleIsPresent() {
    assertEquals("fake-vector", Kernels.choose(null, true, FAKE_VECTOR).kernel().name());
    assertEquals("fake-vector", Kernels.choose(" AUTO ", true, FAKE_VECTOR).kernel().name());
    KernelChoice without = Kernels.choose("", false, () -> {
      throw new AssertionError("must not load the vector kernel without its module");
    });
    assertInstanceOf(ScalarKernel.class, without.kernel());
    assertTrue(without.reason().contains("--add-modules jdk.incubator.vector"), without.reason());
  }

  @Test
  void autoFallsBackWhenTheVectorKernelDoesNotLoad() {
    KernelChoice choice = Kernels.choose("auto", true, BROKEN_VECTOR);
    assertInstanceOf(ScalarKernel.class, choice.kernel());
    assertTrue(choice.reason().contains("did not load"), choice.reason());
  }

  @Test
  void aForcedKernelIsThatKernelOrAnError() {
    assertInstanceOf(ScalarKernel.class, Kernels.choose("scalar", true, FAKE_VECTOR).kernel());
    assertInstanceOf(NaiveKernel.class, Kernels.choose("Naive", true, FAKE_VECTOR).kernel());
    assertEquals("fake-vector", Kernels.choose("vector", true, FAKE_VECTOR).kernel().name());
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Kernels.choose("vector", false, FAKE_VECTOR));
    assertTrue(missing.getMessage().contains("--add-modules jdk.incubator.vector"), missing.getMessage());
    assertThrows(IllegalStateException.class, () -> Kernels.choose("vector", true, BROKEN_VECTOR));
    assertThrows(IllegalArgumentException.class, () -> Kernels.choose("cuda", true, FAKE_VECTOR));
  }

  @Test
  void theDefaultFollowsThePropertyAndTheModule() {
    String forced = System.getProperty(Kernels.PROPERTY);
    String expected = forced != null && !forced.isBlank() && !forced.equalsIgnoreCase(Kernels.AUTO)
        ? forced.trim().toLowerCase(java.util.Locale.ROOT)
        : Kernels.vectorModulePresent() ? Kernels.VECTOR : Kernels.SCALAR;
    assertEquals(expected, Kernels.matmul().name(), Kernels.choice().toString());
  }

  @Test
  void theRealVectorKernelLoadsWhenTheModuleIsPresent() {
    assumeTrue(Kernels.vectorModulePresent(), "run without --add-modules jdk.incubator.vector");
    MatmulKernel vector = Kernels.named(Kernels.VECTOR);
    assertEquals(Kernels.VECTOR, vector.name());
    assertTrue(vector.toString().matches("vector \\(\\d+ float lanes\\)"), vector.toString());
  }

  /** A JVM started without the module runs the engine on the scalar kernel, and linking never fails. */
  @Test
  void aJvmWithoutTheModuleFallsBackToScalar() throws Exception {
    Result auto = runWithoutTheModule();
    assertEquals(0, auto.exit, auto.output);
    assertTrue(auto.output.contains("kernel=scalar"), auto.output);
    assertTrue(auto.output.contains("is not in the boot layer"), auto.output);
    assertTrue(auto.output.contains("y=[14.0, 32.0]"), auto.output);

    Result forced = runWithoutTheModule("-D" + Kernels.PROPERTY + "=vector");
    assertNotEquals(0, forced.exit, forced.output);
    assertTrue(forced.output.contains("needs the JVM option --add-modules jdk.incubator.vector"), forced.output);
    assertTrue(!forced.output.contains("NoClassDefFoundError"), forced.output);
  }

  private record Result(int exit, String output) {}

  private static Result runWithoutTheModule(String... options) throws Exception {
    String classpath = Path.of(Kernels.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + File.pathSeparator + Path.of(KernelsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", classpath, WithoutTheModule.class.getName()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** The child JVM's program: picks the default kernel and runs a product through a layer. */
  public static final class WithoutTheModule {
    public static void main(String[] args) {
      System.out.println("module present=" + Kernels.vectorModulePresent());
      System.out.println("kernel=" + Kernels.choice());
      float[] y = new float[2];
      new dev.flashline.engine.F32Linear(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).apply(new float[] {1, 2, 3}, y, 1);
      System.out.println("y=" + java.util.Arrays.toString(y));
    }
  }

  @Test
  void theWarmUpRunsEveryPathWithoutFailing() {
    KernelWarmUp.run(Kernels.named(Kernels.SCALAR)); // the same code the vector kernel's daemon thread runs
  }

  @Test
  void scalarEqualsTheOriginalLoopsToTheBit() {
    MatmulKernel naive = Kernels.named(Kernels.NAIVE);
    MatmulKernel scalar = Kernels.named(Kernels.SCALAR);
    for (int[] shape : new int[][] {{1, 768, 768}, {7, 37, 129}, {70, 130, 300}, {9, 523, 771}}) {
      int rows = shape[0];
      int out = shape[1];
      int in = shape[2];
      float[] x = KernelCases.gaussian(rows * in, 1);
      float[] w = KernelCases.gaussian(out * in, 2);
      float[] a = new float[rows * out];
      float[] b = new float[rows * out];
      naive.gemmF32(x, rows, w, out, in, a);
      scalar.gemmF32(x, rows, w, out, in, b);
      assertArrayEquals(a, b, 0f);
      var q = KernelCases.fp8(out, in, 3);
      naive.gemmFp8(x, rows, q, a);
      scalar.gemmFp8(x, rows, q, b);
      assertArrayEquals(a, b, 0f);
    }
  }
}
