package dev.flashline.cost;

import dev.flashline.task.ComputeSpec;

/** Turns attributed compute time into dollars at the job's hourly rate. */
public final class ComputeCost {
  private ComputeCost() {}

  public static double usd(double cpuSeconds, ComputeSpec rate) {
    return cpuSeconds * rate.usdPerCpuHour() / 3600.0;
  }

  /**
   * The id written to each row's {@code price_schedule}, so a row says which rate it was billed at.
   */
  public static String scheduleId(ComputeSpec rate) {
    return "cpu-hour@" + rate.usdPerCpuHour() + "usd";
  }
}
