package dev.flashline.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heavy things (a loaded model, an engine) kept once per key per JVM and shared by every DoFn
 * instance and thread, with reference counting: the first {@link #acquire} of a key creates it;
 * once the last {@link Lease#close} lets go it stays for the pool's {@linkplain #linger() linger
 * period} and is closed unless a new lease takes it in the meantime (a zero linger closes it with
 * its last lease). A Flink TaskManager with eight slots therefore holds one copy, not eight; and a
 * batch job whose stages run one after another on a TaskManager creates it once, not once per stage.
 * Creation runs under the pool's lock, so concurrent first acquires create once.
 *
 * @param <K> what identifies one shared value (a model name, an engine's settings)
 */
public final class SharedPool<K, V extends AutoCloseable> {
  /**
   * Says (at DEBUG) each time this JVM creates or closes a value: on a cluster, each TaskManager's
   * log then shows how often its JVM loaded a model.
   */
  private static final Logger LOG = LoggerFactory.getLogger(SharedPool.class);
  /**
   * Closes lingering values. Its one thread exits when idle, so nothing of a finished job is held
   * by it (a Flink TaskManager drops a job's classes when the job ends).
   */
  private static final ScheduledThreadPoolExecutor CLOSER = closer();

  private final String what;
  private final Map<K, Entry<V>> entries = new HashMap<>();
  private int creations;
  private volatile Duration linger;

  /** A pool whose values are closed with their last lease; {@code what} names them in logs and errors ("native model"). */
  public SharedPool(String what) {
    this(what, Duration.ZERO);
  }

  /** A pool whose unused values stay for {@code linger} before they are closed. */
  public SharedPool(String what, Duration linger) {
    this.what = what;
    this.linger = requireLinger(linger);
  }

  private static final class Entry<V> {
    final V value;
    int references;
    /** The scheduled close of an unused value; null while in use. */
    ScheduledFuture<?> close;

    Entry(V value) {
      this.value = value;
    }
  }

  /** A counted reference to a shared value; close it exactly once (further closes are ignored). */
  public static final class Lease<V> implements AutoCloseable {
    private final String name;
    private final V value;
    private final Runnable release;
    private boolean closed;

    private Lease(String name, V value, Runnable release) {
      this.name = name;
      this.value = value;
      this.release = release;
    }

    public V get() {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("lease on " + name + " is closed");
        }
      }
      return value;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      release.run();
    }
  }

  /** The start of the log line written (at DEBUG) each time a value of a pool named {@code what} is created. */
  public static String createdLine(String what) {
    return "flashline: loaded the " + what;
  }

  /**
   * A lease on the value for {@code key}, created with {@code create} if none is held now.
   * What {@code create} throws reaches the caller, and nothing is kept.
   */
  public synchronized Lease<V> acquire(K key, Supplier<? extends V> create) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      long start = System.nanoTime();
      entry = new Entry<>(create.get());
      creations++;
      entries.put(key, entry);
      LOG.debug("{} {} in {} ms (load {} in this JVM, pid {})", createdLine(what), key, (System.nanoTime() - start) / 1_000_000,
          creations, ProcessHandle.current().pid());
    }
    if (entry.close != null) {
      // Taken again while lingering: it stays.
      entry.close.cancel(false);
      entry.close = null;
    }
    entry.references++;
    Entry<V> leased = entry;
    return new Lease<>(what + " " + key, entry.value, () -> release(key, leased));
  }

  private void release(K key, Entry<V> entry) {
    V toClose = null;
    synchronized (this) {
      if (entries.get(key) != entry || --entry.references > 0) {
        return;
      }
      Duration wait = linger;
      if (wait.isZero()) {
        entries.remove(key);
        toClose = entry.value;
      } else {
        entry.close = CLOSER.schedule(() -> closeIfUnused(key, entry), wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    if (toClose != null) {
      close(key, toClose);
    }
  }

  private void closeIfUnused(K key, Entry<V> entry) {
    try {
      synchronized (this) {
        if (entries.get(key) != entry || entry.references > 0) {
          return;
        }
        entries.remove(key);
        entry.close = null;
      }
      close(key, entry.value);
    } catch (Throwable e) {
      // After a Flink job ends its classes may be gone; the value's native memory goes with the JVM.
    }
  }

  private void close(K key, V value) {
    try {
      value.close();
      LOG.debug("flashline: closed the {} {}: unused", what, key);
    } catch (Exception e) {
      throw new IllegalStateException("closing the " + what + " " + key + ": " + e.getMessage(), e);
    }
  }

  /** How long a value nobody uses stays before it is closed. */
  public Duration linger() {
    return linger;
  }

  /**
   * Sets how long a value nobody uses stays (zero: closed with its last lease); returns the
   * previous value. Applies to values let go from now on.
   */
  public Duration setLinger(Duration value) {
    Duration previous = linger;
    linger = requireLinger(value);
    return previous;
  }

  /** Closes every value nobody uses now, without waiting for its linger period to end; returns how many. */
  public int closeUnused() {
    Map<K, V> unused = new HashMap<>();
    synchronized (this) {
      for (Map.Entry<K, Entry<V>> e : List.copyOf(entries.entrySet())) {
        Entry<V> entry = e.getValue();
        if (entry.references == 0) {
          if (entry.close != null) {
            entry.close.cancel(false);
          }
          entries.remove(e.getKey());
          unused.put(e.getKey(), entry.value);
        }
      }
    }
    List<RuntimeException> failures = new ArrayList<>();
    unused.forEach((key, value) -> {
      try {
        close(key, value);
      } catch (RuntimeException e) {
        failures.add(e);
      }
    });
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    return unused.size();
  }

  /** Values with at least one open lease; 0 once every lease is closed. */
  public synchronized int inUse() {
    return (int) entries.values().stream().filter(e -> e.references > 0).count();
  }

  /** Values held: those in use and those lingering unused. */
  public synchronized int size() {
    return entries.size();
  }

  /** Leases still open on the key's value. */
  public synchronized int references(K key) {
    Entry<V> entry = entries.get(key);
    return entry == null ? 0 : entry.references;
  }

  /** How many values were created in this JVM; tests use it to prove sharing. */
  public synchronized int creations() {
    return creations;
  }

  private static Duration requireLinger(Duration linger) {
    if (linger == null || linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative, got " + linger);
    }
    return linger;
  }

  private static ScheduledThreadPoolExecutor closer() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "flashline-shared-closer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
