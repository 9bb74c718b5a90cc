package dev.flashline.task;

import java.io.Serializable;

/**
 * What self-hosted compute costs, so local and native workers can report a cost per record.
 *
 * @param usdPerCpuHour price of one CPU core for one hour. The default, 0.05 USD, is about the
 *     on-demand price of one vCPU of a general-purpose cloud instance in 2026.
 */
public record ComputeSpec(Double usdPerCpuHour) implements Serializable {
  public static final double DEFAULT_USD_PER_CPU_HOUR = 0.05;

  public ComputeSpec {
    if (usdPerCpuHour == null) {
      usdPerCpuHour = DEFAULT_USD_PER_CPU_HOUR;
    }
    if (!(usdPerCpuHour >= 0) || usdPerCpuHour.isInfinite()) {
      throw new IllegalArgumentException(
          "compute.usd_per_cpu_hour must be a finite number >= 0, got " + usdPerCpuHour);
    }
  }

  public static ComputeSpec defaults() {
    return new ComputeSpec(null);
  }
}
