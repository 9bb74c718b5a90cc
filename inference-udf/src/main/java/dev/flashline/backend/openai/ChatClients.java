package dev.flashline.backend.openai;

import dev.flashline.task.OpenAiSpec;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link ChatClient} per endpoint per JVM, shared by every worker in it and closed when the
 * last one lets go. Each worker brings its share of the job's {@code max_in_flight}; the client's
 * cap is the sum of the shares present (never more than the whole job's), so the cap holds
 * across a cluster: parallelism workers x share = max_in_flight.
 */
public final class ChatClients {
  /** Says (at DEBUG) when this JVM opens a client: a cluster's logs then show one per TaskManager and run. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChatClients.class);
  /** The start of the log line written when a client is opened. */
  public static final String OPENED = "flashline: opened a chat client";
  private static final Map<Key, Entry> OPEN = new HashMap<>();
  /** Runs the launcher has closed; a worker of a failed run may still be starting up. */
  private static final java.util.Set<String> CLOSED_RUNS = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 1000;
    }
  });

  private ChatClients() {}

  /**
   * What makes two workers share a client: the same job run and the same spec but for the model,
   * which is per call. Never shared across runs: a client carries a run's state (an exhausted
   * balance, a refused key, the adapted concurrency) that must not leak into the next job in a
   * long-lived JVM.
   */
  private record Key(String runId, String endpoint, String apiKeyEnv, String apiKeyFile, double timeout, int attempts, Integer maxOutput, Map<String, Object> options) {
    static Key of(OpenAiSpec spec, String runId) {
      return new Key(runId, spec.endpoint(), spec.apiKeyEnv(), spec.apiKeyFile(), spec.requestTimeoutSeconds(), spec.maxAttempts(),
          spec.maxOutputTokens(), spec.requestOptions());
    }
  }

  private static final class Entry {
    final ChatClient client;
    final int jobCap;
    int references;
    int shares;

    Entry(ChatClient client, int jobCap) {
      this.client = client;
      this.jobCap = jobCap;
    }
  }

  /** A worker's hold on the shared client; close it in teardown. */
  public static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private final int share;
    private boolean closed;

    private Lease(Key key, Entry entry, int share) {
      this.key = key;
      this.entry = entry;
      this.share = share;
    }

    public ChatClient client() {
      return entry.client;
    }

    @Override
    public void close() {
      synchronized (ChatClients.class) {
        if (closed) {
          return;
        }
        closed = true;
        entry.references--;
        entry.shares -= share;
        if (entry.references == 0) {
          OPEN.remove(key);
          entry.client.close();
        } else {
          entry.client.limiter().setCapacity(Math.min(entry.jobCap, entry.shares));
        }
      }
    }
  }

  /**
   * @param share this worker's part of {@code max_in_flight} (the job's cap divided by its parallelism)
   * @throws IllegalArgumentException when the API key file is named but unusable
   */
  public static Lease acquire(OpenAiSpec spec, int share) {
    return acquire(spec, share, Clock.systemUTC(), "");
  }

  /**
   * @param clock stamps requests for pricing
   * @param runId the job run the worker belongs to
   */
  public static synchronized Lease acquire(OpenAiSpec spec, int share, Clock clock, String runId) {
    if (share < 1) {
      throw new IllegalArgumentException("share must be at least 1, got " + share);
    }
    if (CLOSED_RUNS.contains(runId)) {
      throw new IllegalStateException("job run " + runId + " is over; no new requests are sent for it");
    }
    Key key = Key.of(spec, runId);
    Entry entry = OPEN.get(key);
    if (entry == null) {
      ApiKey apiKey = ApiKey.resolve(spec);
      entry = new Entry(new ChatClient(spec, apiKey, Math.min(spec.maxInFlight(), share), clock), spec.maxInFlight());
      OPEN.put(key, entry);
      LOG.debug("{} for {} (run {}, pid {})", OPENED, spec.endpoint(), runId, ProcessHandle.current().pid());
    }
    entry.references++;
    entry.shares += share;
    entry.client.limiter().setCapacity(Math.min(entry.jobCap, entry.shares));
    return new Lease(key, entry, share);
  }

  /** Each worker's share of the job's requests in flight. */
  public static int share(OpenAiSpec spec, int workers) {
    return Math.max(1, spec.maxInFlight() / Math.max(1, workers));
  }

  /**
   * Closes what a run left open. A runner does not always tear its DoFns down when a pipeline
   * fails, so the launcher calls this when the run is over, whatever its outcome.
   */
  public static synchronized void closeRun(String runId) {
    CLOSED_RUNS.add(runId);
    var entries = OPEN.entrySet().iterator();
    while (entries.hasNext()) {
      var entry = entries.next();
      if (entry.getKey().runId().equals(runId)) {
        entries.remove();
        entry.getValue().client.close();
      }
    }
  }

  /** Clients open in this JVM (for leak checks). */
  public static synchronized int open() {
    return OPEN.size();
  }
}
