package dev.flashline.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Heavy things (a loaded model, an engine) kept once per key per JVM and shared by every DoFn
 * instance and thread, with reference counting: the first {@link #acquire} of a key creates it,
 * the last {@link Lease#close} closes it. A Flink TaskManager with eight slots therefore holds one
 * copy, not eight. Creation runs under the pool's lock, so concurrent first acquires create once.
 *
 * @param <K> what identifies one shared value (a model name, an engine's settings)
 */
public final class SharedPool<K, V extends AutoCloseable> {
  private final String what;
  private final Map<K, Entry<V>> entries = new HashMap<>();
  private int creations;

  /** @param what names the values in errors, for example "local model" */
  public SharedPool(String what) {
    this.what = what;
  }

  private static final class Entry<V> {
    final V value;
    int references;

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

  /**
   * A lease on the value for {@code key}, created with {@code create} if no lease holds it now.
   * What {@code create} throws reaches the caller, and nothing is kept.
   */
  public synchronized Lease<V> acquire(K key, Supplier<? extends V> create) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      entry = new Entry<>(create.get());
      creations++;
      entries.put(key, entry);
    }
    entry.references++;
    return new Lease<>(what + " " + key, entry.value, () -> release(key));
  }

  private synchronized void release(K key) {
    Entry<V> entry = entries.get(key);
    if (entry != null && --entry.references == 0) {
      entries.remove(key);
      try {
        entry.value.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the " + what + " " + key + ": " + e.getMessage(), e);
      }
    }
  }

  /** Values held and not yet closed; 0 once every lease is closed. */
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
}
