package dev.flashline.engine.kernels;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the {@link MatmulKernel} the engine's linear layers use.
 *
 * <ul>
 *   <li><b>{@value #AUTO}</b> (the default): {@value #VECTOR} when the JVM was started with
 *       {@code --add-modules jdk.incubator.vector}, else {@value #SCALAR}. The Vector API is an
 *       incubator module in Java 17, so it is opt-in on the command line; with it the JVM prints
 *       "WARNING: Using incubator modules: jdk.incubator.vector" to stderr once at startup. The
 *       {@code ./flashline} launcher and the Maven tests add it; a Flink TaskManager needs it in
 *       {@code env.java.opts.taskmanager}.
 *   <li><b>System property {@value #PROPERTY}</b> forces one: {@value #SCALAR}, {@value #VECTOR}
 *       (fails if the module is missing, rather than quietly running something else), or
 *       {@value #NAIVE} (the engine's original loops, the baseline for benchmarks).
 * </ul>
 *
 * <p><b>Caveats of {@value #AUTO}.</b> It trusts the module flag: where C2 does not compile the
 * Vector API into vector instructions (the interpreter, C1 only with {@code
 * -XX:TieredStopAtLevel=1}, ports without the intrinsics) vector code runs orders of magnitude
 * slower than scalar, so force {@value #SCALAR} there. Even with C2, products run slowly until the
 * kernel is compiled; loading the vector kernel therefore starts {@link KernelWarmUp} on a daemon
 * thread, and a benchmark should still time only after a warm-up of its own.
 *
 * <p>The vector kernel's class names incubator types, so it is only ever loaded by name, after
 * {@code ModuleLayer.boot().findModule("jdk.incubator.vector")} found the module: a JVM without it
 * never links that class and never sees a {@link NoClassDefFoundError}. A CUDA kernel will be chosen
 * the same way (its own value of the property, loaded by name once the native libraries load).
 */
public final class Kernels {
  public static final String PROPERTY = "flashline.engine.kernel";
  public static final String AUTO = "auto";
  public static final String NAIVE = "naive";
  public static final String SCALAR = "scalar";
  public static final String VECTOR = "vector";

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String VECTOR_CLASS = "dev.flashline.engine.kernels.VectorKernel";

  private Kernels() {}

  /** Chosen once per JVM from {@value #PROPERTY}, on first use. */
  private static final class Default {
    static final KernelChoice CHOICE = choose(System.getProperty(PROPERTY), vectorModulePresent(), Kernels::loadVector);
  }

  /** The kernel layers use unless given one. */
  public static MatmulKernel matmul() {
    return Default.CHOICE.kernel();
  }

  /** {@link #matmul()} and how it was chosen. */
  public static KernelChoice choice() {
    return Default.CHOICE;
  }

  /**
   * The kernel of that name ({@value #NAIVE}, {@value #SCALAR}, {@value #VECTOR}, {@value #AUTO}),
   * regardless of the system property: for tests and benchmarks that compare kernels in one JVM.
   *
   * @throws IllegalStateException if {@value #VECTOR} is asked for and cannot run here
   */
  public static MatmulKernel named(String name) {
    return choose(name, vectorModulePresent(), Kernels::loadVector).kernel();
  }

  /** Whether the Vector API module is in the boot layer (the JVM ran with --add-modules). */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /**
   * The selection rule, apart from the JVM it runs in.
   *
   * @param requested the property's value; null or blank means {@value #AUTO}
   * @param modulePresent whether {@code jdk.incubator.vector} is in the boot layer
   * @param vector loads the vector kernel; only called when the module is present, and may throw
   */
  static KernelChoice choose(String requested, boolean modulePresent, Supplier<MatmulKernel> vector) {
    String name = requested == null || requested.isBlank() ? AUTO : requested.trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case NAIVE:
        return new KernelChoice(new NaiveKernel(), "forced by " + PROPERTY);
      case SCALAR:
        return new KernelChoice(new ScalarKernel(), "forced by " + PROPERTY);
      case VECTOR:
        if (!modulePresent) {
          throw new IllegalStateException(PROPERTY + "=vector needs the JVM option --add-modules " + VECTOR_MODULE);
        }
        try {
          return new KernelChoice(vector.get(), "forced by " + PROPERTY);
        } catch (RuntimeException | LinkageError e) {
          throw new IllegalStateException(PROPERTY + "=vector: the Vector API kernel did not load: " + e, e);
        }
      case AUTO:
        if (!modulePresent) {
          return new KernelChoice(new ScalarKernel(), "auto: " + VECTOR_MODULE + " is not in the boot layer (add --add-modules " + VECTOR_MODULE + ")");
        }
        try {
          return new KernelChoice(vector.get(), "auto: " + VECTOR_MODULE + " present");
        } catch (RuntimeException | LinkageError e) {
          return new KernelChoice(new ScalarKernel(), "auto: the Vector API kernel did not load (" + e + ")");
        }
      default:
        throw new IllegalArgumentException(PROPERTY + "=" + requested + ": expected one of auto, scalar, vector, naive");
    }
  }

  /**
   * Loads {@link VectorKernel} by name, so that nothing links it before the module check, and starts
   * its warm-up ({@link KernelWarmUp}; {@code -Dflashline.engine.kernel.warmup=false} turns it off).
   */
  private static MatmulKernel loadVector() {
    try {
      MatmulKernel kernel = (MatmulKernel) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
      KernelWarmUp.start(kernel);
      return kernel;
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
