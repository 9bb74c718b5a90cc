package dev.flashline.cost;

import java.util.HashMap;
import java.util.Map;

/**
 * A job's spending cap ({@code --max-cost}), kept per JVM: a request is sent only after its
 * projected cost is reserved, so what is spent plus what is in flight never crosses the cap. Once a
 * reservation is refused every later one is too: the job stops sending and the rest fail with
 * reason {@code budget}, rather than squeezing in whatever small requests still fit.
 *
 * <p>On several JVMs each worker brings its share of the cap ({@code cap / workers}), the same way
 * workers share {@code max_in_flight}; the shares add up to the cap, so the job as a whole cannot
 * cross it either.
 */
public final class SpendBudget {
  private static final Map<String, SpendBudget> RUNS = new HashMap<>();

  private final double cap;
  private double capacity;
  private double spent;
  private double reserved;
  private boolean exhausted;
  private int references;

  private SpendBudget(double cap) {
    this.cap = cap;
  }

  /** A worker's hold on its run's budget; close it in teardown. */
  public static final class Lease implements AutoCloseable {
    private final String runId;
    private final SpendBudget budget;
    private boolean closed;

    private Lease(String runId, SpendBudget budget) {
      this.runId = runId;
      this.budget = budget;
    }

    public SpendBudget budget() {
      return budget;
    }

    @Override
    public void close() {
      synchronized (SpendBudget.class) {
        if (closed) {
          return;
        }
        closed = true;
        if (--budget.references == 0) {
          RUNS.remove(runId);
        }
      }
    }
  }

  /** @param workers how many workers share the cap over the whole job */
  public static synchronized Lease acquire(String runId, double capUsd, int workers) {
    if (!(capUsd >= 0)) {
      throw new IllegalArgumentException("the cost cap must be >= 0, got " + capUsd);
    }
    SpendBudget budget = RUNS.computeIfAbsent(runId, id -> new SpendBudget(capUsd));
    budget.references++;
    synchronized (budget) {
      budget.capacity = Math.min(budget.cap, budget.capacity + capUsd / Math.max(1, workers));
    }
    return new Lease(runId, budget);
  }

  /** A budget on its own (tests, one worker). */
  public static SpendBudget of(double capUsd) {
    SpendBudget budget = new SpendBudget(capUsd);
    budget.capacity = capUsd;
    return budget;
  }

  /** @return whether {@code usd} was set aside; false once the cap would be crossed, and ever after */
  public synchronized boolean tryReserve(double usd) {
    if (exhausted || spent + reserved + usd > capacity) {
      exhausted = true;
      return false;
    }
    reserved += usd;
    return true;
  }

  /** Replaces a reservation with what the request really cost. */
  public synchronized void settle(double reservedUsd, double actualUsd) {
    reserved = Math.max(0, reserved - reservedUsd);
    spent += actualUsd;
  }

  public synchronized double spent() {
    return spent;
  }

  public synchronized double capacity() {
    return capacity;
  }

  public synchronized boolean exhausted() {
    return exhausted;
  }
}
