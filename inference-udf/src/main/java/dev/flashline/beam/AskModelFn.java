package dev.flashline.beam;

import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.EndpointAuthException;
import dev.flashline.backend.openai.OpenAiBackend;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.SpendBudget;
import dev.flashline.cost.UnitPrices;
import dev.flashline.cost.UnpricedModelException;
import dev.flashline.grouping.PrimingPolicy;
import dev.flashline.grouping.ReplicaChooser;
import dev.flashline.grouping.ResultStore;
import dev.flashline.grouping.StoredAnswer;
import dev.flashline.grouping.WarmPrefixes;
import dev.flashline.schema.Charge;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.CostSpec;
import dev.flashline.schedule.OffPeakGate;
import dev.flashline.schedule.OffPeakPolicy;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelledRecords;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Sends groups of requests to OpenAI-compatible endpoints, many at a time: each request starts a
 * call and the DoFn moves on; answers are emitted as they arrive, and the bundle ends when every
 * call it started has ended. Admission is bounded by this worker's share of the job's
 * {@code max_in_flight}, so memory stays bounded whatever the input size.
 *
 * <p>A group holds requests that share a prompt prefix (see {@link AskModels}). Before fanning a
 * cold group out, one primer warms the prefix when that pays; with several replicas the whole
 * group goes to the replica that owns its prefix. Answers already in the result store are reused
 * without a request, and the job's cost cap is checked before every request.
 *
 * <p>Input: a group key, and the group's requests: task name, document, and the local stage's row
 * when the local model was not confident enough (null otherwise).
 */
final class AskModelFn extends DoFn<KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>>, LabelledRecord> {
  private final JobSpec job;
  private final PriceSchedule prices;
  private final int workers;
  private final String runId;
  private final Set<String> countProgressOf;
  private final Clock clock;
  private final boolean grouped;
  // --- off-peak scheduling (issue 5.4): null unless the job runs --when off-peak ---
  private final OffPeakPolicy offPeak;
  private transient OffPeakGate gate;
  // --- end off-peak scheduling ---

  private transient List<ChatClients.Lease> leases;
  private transient SpendBudget.Lease budget;
  private transient Map<String, List<OpenAiBackend>> backends;
  /** Each task's type, for rows rebuilt from the result store (resolving tasks per row would rebuild every spec). */
  private transient Map<String, dev.flashline.schema.TaskType> taskTypes;
  private transient ResultStore store;
  private transient PrimingPolicy priming;
  private transient JobProgress.Tracker progress;
  private transient LinkedBlockingQueue<Done> done;
  private transient List<Done> held;
  private transient int pending;
  private transient int duplicatesPending;
  private transient int admission;

  /** A finished call, and where its row must be emitted. */
  private record Done(LabelledRecord row, Throwable error, Instant timestamp, BoundedWindow window, boolean duplicate) {
    Done(LabelledRecord row, Throwable error, Instant timestamp, BoundedWindow window) {
      this(row, error, timestamp, window, false);
    }
  }

  /**
   * @param countProgressOf tasks whose rows this step reports as done (those no earlier step counted)
   * @param grouped whether groups share a prefix (so priming applies)
   * @param offPeak when set, every new request waits for an off-peak window (see {@link OffPeakGate})
   */
  AskModelFn(
      JobSpec job, PriceSchedule prices, int workers, String runId, Set<String> countProgressOf, Clock clock, boolean grouped,
      OffPeakPolicy offPeak) {
    this.job = job;
    this.prices = prices;
    this.workers = workers;
    this.runId = runId;
    this.countProgressOf = Set.copyOf(countProgressOf);
    this.clock = clock;
    this.grouped = grouped;
    this.offPeak = offPeak;
  }

  @Setup
  public void setup() {
    int share = ChatClients.share(job.openai(), workers);
    CostSpec cost = job.cost();
    leases = new ArrayList<>();
    budget = cost.maxCostUsd() == null ? null : SpendBudget.acquire(runId, cost.maxCostUsd(), workers);
    List<String> endpoints = job.openai().endpoints();
    for (String endpoint : endpoints) {
      leases.add(ChatClients.acquire(endpoints.size() == 1 ? job.openai() : job.openai().forEndpoint(endpoint), share, clock, runId));
    }
    backends = new HashMap<>();
    taskTypes = new HashMap<>();
    for (JobSpec task : job.taskJobs()) {
      taskTypes.put(task.name(), task.task());
      if (!task.usesOpenAi()) {
        continue;
      }
      List<OpenAiBackend> perReplica = new ArrayList<>();
      for (ChatClients.Lease lease : leases) {
        perReplica.add(new OpenAiBackend(task, prices, lease.client(), budget == null ? null : budget.budget(), clock));
      }
      backends.put(task.name(), perReplica);
    }
    store = cost.resultStore() == null ? null : ResultStore.open(Path.of(cost.resultStore()));
    priming = new PrimingPolicy(grouped ? cost.priming() : CostSpec.Priming.off);
    progress = JobProgress.tracker(runId);
    admission = share;
    gate = offPeak == null ? null : offPeak.gate(); // off-peak scheduling
  }

  @StartBundle
  public void startBundle() {
    done = new LinkedBlockingQueue<>();
    held = new ArrayList<>();
    pending = 0;
    duplicatesPending = 0;
  }

  @ProcessElement
  public void process(
      @Element KV<String, Iterable<KV<String, KV<Document, LabelledRecord>>>> group, ProcessContext context, BoundedWindow window)
      throws InterruptedException {
    // A file job's group is a whole prefix shard and can be large: it is sent batch by batch,
    // each batch primed when it is cold, so requests in memory stay bounded by batch_size.
    // Requests were sharded by content, so every duplicate of a document is in this group.
    Map<String, Payer> payers = new HashMap<>();
    List<KV<String, KV<Document, LabelledRecord>>> batch = new ArrayList<>();
    for (KV<String, KV<Document, LabelledRecord>> request : group.getValue()) {
      batch.add(request);
      if (batch.size() >= job.cost().batchSize()) {
        sendBatch(batch, payers, context, window);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      sendBatch(batch, payers, context, window);
    }
  }

  /**
   * A document asked once on behalf of every request in the group with the same content key.
   * Its duplicates wait here until its row is in, then reuse its answer at no cost.
   */
  private final class Payer {
    private final List<KV<String, KV<Document, LabelledRecord>>> waiting = new ArrayList<>();
    private final Instant timestamp;
    private final BoundedWindow window;
    private LabelledRecord row;

    Payer(Instant timestamp, BoundedWindow window) {
      this.timestamp = timestamp;
      this.window = window;
    }

    /** Called on the DoFn's thread for each duplicate. */
    synchronized void add(KV<String, KV<Document, LabelledRecord>> duplicate) {
      if (row != null) {
        done.add(reuse(duplicate));
      } else {
        waiting.add(duplicate);
      }
    }

    /** Called when the payer's row is in, on whatever thread completed it. */
    synchronized void answered(LabelledRecord answer) {
      row = answer;
      waiting.forEach(duplicate -> done.add(reuse(duplicate)));
      waiting.clear();
    }

    private Done reuse(KV<String, KV<Document, LabelledRecord>> duplicate) {
      Document document = duplicate.getValue().getKey();
      LabelledRecord reused = LabelledRecords.reused(
          document.getId(), document.getGoldLabel(), duplicate.getKey(), row, row.getId(), duplicate.getValue().getValue());
      if (reused.getStatus() == Status.failed) {
        // Asking again would most likely fail the same way; a rerun retries them all.
        reused = LabelledRecord.newBuilder(reused)
            .setError(row.getError() + " (same document as record '" + row.getId() + "', asked once)").build();
      }
      return new Done(reused, null, timestamp, window, true);
    }
  }

  private void sendBatch(
      List<KV<String, KV<Document, LabelledRecord>>> requests, Map<String, Payer> payers, ProcessContext context, BoundedWindow window)
      throws InterruptedException {
    Instant timestamp = context.timestamp();
    // Every request of a group has the same prefix; the first names the task and its replica.
    List<OpenAiBackend> perReplica = backendsOf(requests.get(0).getKey());
    OpenAiBackend first = perReplica.get(0);
    int replica = ReplicaChooser.choose(first.prefixKey(), job.openai().endpoints());
    String warmKey = job.openai().endpoints().get(replica) + "|" + first.prefixKey();
    // Duplicates and answers already paid for in an earlier run are settled first, so a primer
    // is sized for what will really be sent.
    boolean reuse = job.cost().reuse();
    List<Outgoing> toSend = new ArrayList<>();
    for (KV<String, KV<Document, LabelledRecord>> request : requests) {
      OpenAiBackend backend = backendsOf(request.getKey()).get(replica);
      Document document = request.getValue().getKey();
      String contentKey = reuse || store != null ? backend.contentKey(document.getText()) : null;
      Payer payer = reuse ? payers.get(contentKey) : null;
      if (payer != null) {
        pending++;
        duplicatesPending++;
        payer.add(request);
        continue;
      }
      Optional<StoredAnswer> stored = store == null ? Optional.empty() : store.get(contentKey);
      if (stored.isPresent()) {
        pending++;
        done.add(new Done(fromStore(request.getKey(), document, request.getValue().getValue(), stored.get()), null, timestamp, window));
        continue;
      }
      payer = new Payer(timestamp, window);
      if (reuse) {
        payers.put(contentKey, payer);
      }
      toSend.add(new Outgoing(backend, document, request.getValue().getValue(), contentKey, payer));
    }
    if (gate != null && !toSend.isEmpty()) {
      gate.awaitOpen();
    }
    Wave wave = toSend.isEmpty() ? null : primeIfWorthIt(perReplica.get(replica), warmKey, toSend.size());

    for (Outgoing ask : toSend) {
      for (Done finished = done.poll(); finished != null; finished = done.poll()) {
        emitOrHold(finished, context, window);
      }
      // Duplicates waiting for their payer send nothing, so they do not hold a slot.
      while (pending - duplicatesPending >= admission) {
        emitOrHold(done.take(), context, window);
      }
      // Off-peak scheduling: a new request waits for an off-peak window. Calls already in flight
      // go on and are emitted later; nothing is dropped or sent twice.
      if (gate != null) {
        gate.awaitOpen();
      }
      boolean inWave = wave != null && wave.admit();
      pending++;
      ask.backend()
          .answer(ask.document(), ask.prior())
          .thenApply(row -> {
            if (row.getStatus() == Status.ok && !row.getCharges().isEmpty()) {
              Charge last = row.getCharges().get(row.getCharges().size() - 1);
              if (last.getCacheHitTokens() > 0) {
                WarmPrefixes.markWarm(warmKey);
              }
            }
            if (store != null && row.getStatus() == Status.ok) {
              store.put(ask.contentKey(), new StoredAnswer(
                  row.getId(), row.getLabel(), row.getSummary(), row.getConfidence(), row.getBackend(), row.getModel(), row.getStage()));
            }
            return inWave ? wave.finish(row) : row;
          })
          .whenComplete((row, error) -> {
            done.add(new Done(row, error, timestamp, window));
            if (error == null) {
              ask.payer().answered(row);
            }
          });
    }
  }

  /** A request to send: where, what, its content key (null when nothing reuses answers), and who waits on it. */
  private record Outgoing(OpenAiBackend backend, Document document, LabelledRecord prior, String contentKey, Payer payer) {}

  private List<OpenAiBackend> backendsOf(String task) {
    List<OpenAiBackend> out = backends.get(task);
    if (out == null) {
      throw new IllegalStateException("no endpoint task named '" + task + "' in job '" + job.name() + "'");
    }
    return out;
  }

  /**
   * Primes the group's prefix when that pays, waits for it (and for the cache to settle), and
   * returns the first wave whose last record is billed for the primer; null when not primed.
   */
  private Wave primeIfWorthIt(OpenAiBackend backend, String warmKey, int groupSize) throws InterruptedException {
    UnitPrices unit;
    try {
      unit = prices.priceAt(backend.firstModel(), clock.instant()).prices();
    } catch (UnpricedModelException e) {
      return null;
    }
    // A byte-level BPE token averages about four bytes of English; the decision is not sensitive to it.
    long prefixTokens = Math.max(1, backend.staticPrefix().length() / 4);
    boolean warm = WarmPrefixes.isWarm(warmKey, job.cost().cacheTtlSeconds());
    if (!priming.shouldPrime(warm, groupSize, admission, prefixTokens, unit)) {
      return null;
    }
    OpenAiBackend.Primer[] paid = new OpenAiBackend.Primer[1];
    long settleMillis = (long) (job.cost().primeSettleSeconds() * 1000);
    WarmPrefixes.Priming primer = WarmPrefixes.primeOnce(warmKey, () -> backend.prime()
        .thenCompose(result -> {
          paid[0] = result;
          return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(settleMillis, TimeUnit.MILLISECONDS));
        }));
    try {
      primer.done().get();
    } catch (ExecutionException e) {
      // A failed primer costs at most its own request; the group goes ahead cold.
      return null;
    }
    if (!primer.ours() || paid[0] == null || paid[0].attempts() == 0) {
      return null;
    }
    return new Wave(Math.min(groupSize, admission), paid[0]);
  }

  /**
   * The requests sent right after a primer, before any of them could have warmed the cache on its
   * own. The one that finishes last carries the primer's charge, with what the wave's cache hits
   * saved against the miss price.
   */
  private static final class Wave {
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger remaining;
    private final int size;
    private final OpenAiBackend.Primer primer;
    private double saved;

    Wave(int size, OpenAiBackend.Primer primer) {
      this.size = size;
      this.remaining = new AtomicInteger(size);
      this.primer = primer;
    }

    boolean admit() {
      return admitted.incrementAndGet() <= size;
    }

    LabelledRecord finish(LabelledRecord row) {
      double saving = 0;
      for (Charge charge : row.getCharges()) {
        if (charge.getAttempt() > 0) {
          saving += charge.getCacheHitTokens() * (charge.getUsdPerMillionCacheMiss() - charge.getUsdPerMillionCacheHit()) / 1e6;
          break;
        }
      }
      double total;
      synchronized (this) {
        saved += saving;
        total = saved;
      }
      if (remaining.decrementAndGet() != 0) {
        return row;
      }
      // The primer's requests count among the row's attempts, so attempts add up to requests sent.
      LabelledRecord counted = LabelledRecord.newBuilder(row).setAttempts(row.getAttempts() + primer.attempts()).build();
      if (primer.charge() == null) {
        return counted;
      }
      Charge charge = Charge.newBuilder(primer.charge()).setStage(row.getStage()).setSavedUsd(total).build();
      return LabelledRecords.withCharge(counted, charge);
    }
  }

  private LabelledRecord fromStore(String task, Document document, LabelledRecord prior, StoredAnswer stored) {
    LabelledRecord payer = LabelledRecord.newBuilder()
        .setId(stored.payerId())
        .setTask(taskTypes.get(task))
        .setLabel(stored.label())
        .setSummary(stored.summary())
        .setConfidence(stored.confidence())
        .setBackend(stored.backend())
        .setModel(stored.model())
        .setStage(stored.stage())
        .setStatus(Status.ok)
        .build();
    return LabelledRecords.reused(document.getId(), document.getGoldLabel(), task, payer, stored.payerId(), prior);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    while (pending > 0) {
      Done finished = done.take();
      pending--;
      if (finished.duplicate()) {
        duplicatesPending--;
      }
      check(finished);
      held.add(finished);
    }
    for (Done finished : held) {
      context.output(finished.row(), finished.timestamp(), finished.window());
    }
    held.clear();
  }

  /** Emits now when the row belongs to the current window; rows of other windows wait for the bundle's end. */
  private void emitOrHold(Done finished, ProcessContext context, BoundedWindow window) {
    pending--;
    if (finished.duplicate()) {
      duplicatesPending--;
    }
    check(finished);
    if (finished.window().equals(window)) {
      context.output(finished.row());
    } else {
      held.add(finished);
    }
  }

  private void check(Done finished) {
    if (finished.error() != null) {
      Throwable cause = finished.error();
      while (cause.getCause() != null && !(cause instanceof EndpointAuthException)) {
        cause = cause.getCause();
      }
      if (cause instanceof EndpointAuthException auth) {
        throw new EndpointAuthException(auth.getMessage());
      }
      throw new IllegalStateException("labelling failed: " + cause, cause);
    }
    if (countProgressOf.contains(finished.row().getTaskName())) {
      progress.add(1);
    }
  }

  @Teardown
  public void teardown() {
    if (leases != null) {
      leases.forEach(ChatClients.Lease::close);
      leases = null;
    }
    if (budget != null) {
      budget.close();
      budget = null;
    }
  }
}
