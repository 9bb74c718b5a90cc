package dev.flashline.cost;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the calling thread. Self-hosted work is billed by the CPU it used, not by wall time,
 * so that a record does not pay for the time its thread spent waiting for a core.
 */
public final class CpuClock {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();

  private CpuClock() {}

  /** Nanoseconds of CPU used by this thread so far (wall-clock nanoseconds where the JVM cannot tell). */
  public static long threadNanos() {
    return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
