package dev.flashline.backend.openai;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bounds requests in flight to one endpoint, and adapts the bound to what the server can take:
 * halved when it says it is overloaded (429, 503), grown by one per success back to the cap, so
 * a rate-limit storm slows the job down and the job speeds up again when it passes.
 *
 * <p>Only one halving per round of requests: the overload answers to requests sent before the
 * last cut describe the old concurrency, not the new one (the same rule TCP uses per window).
 * Waiting is asynchronous; no thread is parked per waiting request.
 */
final class ConcurrencyLimiter {
  /** Proof of a slot, and the round it was taken in. */
  record Permit(long round) {}

  enum Signal {
    /** The server answered normally. */
    OK,
    /** The server said it is overloaded. */
    OVERLOAD,
    /** Says nothing about load (a reset, a 400). */
    NEUTRAL
  }

  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private final ArrayDeque<CompletableFuture<Permit>> waiters = new ArrayDeque<>();
  private int capacity;
  private double limit;
  private int inFlight;
  private long round;
  private boolean paused;
  private long pausedUntilNanos;
  private int peakInFlight;
  private long overloads;
  private double lowestLimit;

  ConcurrencyLimiter(int capacity, ScheduledExecutorService timer) {
    this.timer = timer;
    this.capacity = Math.max(1, capacity);
    this.limit = this.capacity;
    this.lowestLimit = this.limit;
  }

  CompletableFuture<Permit> acquire() {
    synchronized (lock) {
      if (waiters.isEmpty() && canStart()) {
        return CompletableFuture.completedFuture(take());
      }
      CompletableFuture<Permit> waiter = new CompletableFuture<>();
      waiters.add(waiter);
      return waiter;
    }
  }

  void release(Permit permit, Signal signal) {
    synchronized (lock) {
      inFlight--;
      if (signal == Signal.OVERLOAD && permit.round() == round) {
        limit = Math.max(1, limit / 2);
        lowestLimit = Math.min(lowestLimit, limit);
        round++;
        overloads++;
      } else if (signal == Signal.OK && limit < capacity) {
        limit = Math.min(capacity, limit + 1);
      }
    }
    dispatch();
  }

  /** Holds every new request back until {@code nanos} from now (a Retry-After applies to the account). */
  void pause(long nanos) {
    if (nanos <= 0) {
      return;
    }
    synchronized (lock) {
      long until = System.nanoTime() + nanos;
      if (!paused || until - pausedUntilNanos > 0) {
        pausedUntilNanos = until;
      }
      paused = true;
    }
    timer.schedule(this::dispatch, nanos, TimeUnit.NANOSECONDS);
  }

  /** Sets the cap (the sum of the shares of the workers using this endpoint in this JVM). */
  void setCapacity(int value) {
    synchronized (lock) {
      boolean wasFull = limit >= capacity;
      capacity = Math.max(1, value);
      limit = wasFull ? capacity : Math.min(limit, capacity);
    }
    dispatch();
  }

  int capacity() {
    synchronized (lock) {
      return capacity;
    }
  }

  int limit() {
    synchronized (lock) {
      return (int) limit;
    }
  }

  int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  int peakInFlight() {
    synchronized (lock) {
      return peakInFlight;
    }
  }

  long overloads() {
    synchronized (lock) {
      return overloads;
    }
  }

  int lowestLimit() {
    synchronized (lock) {
      return (int) lowestLimit;
    }
  }

  private boolean canStart() {
    if (paused && System.nanoTime() - pausedUntilNanos < 0) {
      return false;
    }
    paused = false;
    return inFlight < Math.max(1, (int) limit);
  }

  private Permit take() {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    return new Permit(round);
  }

  private void dispatch() {
    List<CompletableFuture<Permit>> ready = new ArrayList<>();
    List<Permit> permits = new ArrayList<>();
    synchronized (lock) {
      while (!waiters.isEmpty() && canStart()) {
        ready.add(waiters.poll());
        permits.add(take());
      }
    }
    // Completed outside the lock: completion runs the waiter's continuation (which sends a request).
    for (int i = 0; i < ready.size(); i++) {
      if (!ready.get(i).complete(permits.get(i))) {
        release(permits.get(i), Signal.NEUTRAL);
      }
    }
  }
}
