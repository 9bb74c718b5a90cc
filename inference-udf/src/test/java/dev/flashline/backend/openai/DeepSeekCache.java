package dev.flashline.backend.openai;

import dev.flashline.cost.RenderedPrompt;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * DeepSeek's context cache on token ids, as its documentation describes it (see FACTS, "DeepSeek
 * API"): a request hits only a persisted "cache prefix unit" that it fully matches, and units are
 * persisted at request boundaries and where requests are seen to share a prefix.
 *
 * <p>Units a completed request persists (the cache's {@link #complete}):
 *
 * <ol>
 *   <li>the prompt up to the end of each user message's content (just before {@code
 *       <｜Assistant｜>} for the last one): "the end of each request's user input". A primer {@code
 *       [system P, user ""]} so persists BOS + P + {@code <｜User｜>}, a prefix of every {@code
 *       [system P, user doc]};
 *   <li>the prompt and the completion ("and output"), so the next turn of a conversation that
 *       repeats the answer hits all of it (the end-of-sentence token that closes an assistant turn
 *       is not part of it: its keys are never computed);
 *   <li>the longest prefix, cut down to a multiple of {@value #DETECTION_GRANULE} tokens, that the
 *       request shares with an earlier completed request not yet expired, when it is at least
 *       {@value #DETECTION_GRANULE} tokens ("when a common prefix is detected across requests").
 *       The cut is this model's choice: DeepSeek stored its cache in 64-token units when it
 *       published that figure, and 64-token boundaries keep detection at a few hash probes per
 *       request. So the first two requests sharing a prefix both miss and the third hits.
 * </ol>
 *
 * <p>DeepSeek also persists units at fixed intervals in long inputs; this model does not.
 *
 * <p>Timing: a request's hit is decided when it is admitted ({@link #lookup}, when prefill would
 * start), its units are created when it completes and can be hit {@code build} later, so requests
 * in flight together all miss. A unit expires {@code expiry} after its last use (creation, or a
 * completed request that hit it), and with a capacity the least recently used go first. The hit
 * never covers the last prompt token: the model must compute it to answer.
 *
 * <p>Cost: prefixes are identified by a chained 64-bit hash of their ids, so a lookup is one hash
 * probe per prompt position and a completion a few per unit, with no per-token trie and nothing
 * compared across requests. Thread-safe: one lock, held for microseconds per request.
 */
final class DeepSeekCache {
  static final int DETECTION_GRANULE = 64;
  private static final long SEED = 0x6a09e667f3bcc909L;

  private final long buildNanos;
  private final long expiryNanos;
  private final long capacityTokens;
  private final LongSupplier nanoClock;
  // Both maps are kept in order of last use, oldest first, so expiry and eviction pop the head.
  private final LinkedHashMap<Long, Unit> units = new LinkedHashMap<>();
  private final LinkedHashMap<Long, Long> seenBoundaries = new LinkedHashMap<>();
  private long storedTokens;
  private int longestUnit;

  DeepSeekCache(CacheModel.DeepSeek model, LongSupplier nanoClock) {
    this.buildNanos = model.build().toNanos();
    this.expiryNanos = model.expiry().toNanos();
    this.capacityTokens = model.capacityTokens();
    this.nanoClock = nanoClock;
  }

  /** A request admitted now: what it hits. Changes nothing; {@link #complete} records it. */
  Prefill lookup(RenderedPrompt prompt) {
    int[] ids = prompt.ids();
    long[] hashes = prefixHashes(ids);
    synchronized (this) {
      long now = nanoClock.getAsLong();
      expire(now);
      for (int length = Math.min(ids.length - 1, longestUnit); length > 0; length--) {
        Unit unit = units.get(hashes[length]);
        if (unit != null && unit.length == length && unit.usableAt <= now) {
          return new Prefill(prompt, hashes, length);
        }
      }
      return new Prefill(prompt, hashes, 0);
    }
  }

  /** The request of {@code prefill} answered {@code completionIds}: refreshes and persists units. */
  void complete(Prefill prefill, int[] completionIds) {
    long[] hashes = prefill.hashes;
    int promptLength = hashes.length - 1;
    long output = hashes[promptLength];
    for (int id : completionIds) {
      output = next(output, id);
    }
    synchronized (this) {
      long now = nanoClock.getAsLong();
      expire(now);
      if (prefill.hit > 0) {
        Unit hit = units.get(hashes[prefill.hit]);
        if (hit != null && hit.length == prefill.hit) {
          use(hashes[prefill.hit], hit, now);
        }
      }
      for (int end : prefill.prompt.userInputEnds()) {
        if (end > 0) {
          persist(hashes[end], end, now);
        }
      }
      persist(output, promptLength + completionIds.length, now);
      int common = 0;
      for (int k = DETECTION_GRANULE; k <= promptLength; k += DETECTION_GRANULE) {
        // A request that carried boundary k carried every boundary below it, and refreshed them
        // together, so the first miss ends the common prefix.
        if (!seenBoundaries.containsKey(hashes[k])) {
          break;
        }
        common = k;
      }
      if (common > 0) {
        persist(hashes[common], common, now);
      }
      for (int k = DETECTION_GRANULE; k <= promptLength; k += DETECTION_GRANULE) {
        seenBoundaries.remove(hashes[k]);
        seenBoundaries.put(hashes[k], now);
      }
      evict();
    }
  }

  /** Units held now (expired ones dropped first). */
  synchronized int units() {
    expire(nanoClock.getAsLong());
    return units.size();
  }

  /** The summed length of the units held now; what a capacity limits. */
  synchronized long storedTokens() {
    expire(nanoClock.getAsLong());
    return storedTokens;
  }

  private void persist(long hash, int length, long now) {
    Unit unit = units.get(hash);
    if (unit != null && unit.length == length) {
      // Already built or building: only its life is extended.
      use(hash, unit, now);
      return;
    }
    if (unit != null) {
      // A 64-bit collision between different lengths: keep the newer unit, which is harmless.
      units.remove(hash);
      storedTokens -= unit.length;
    }
    units.put(hash, new Unit(length, now + buildNanos, now));
    storedTokens += length;
    longestUnit = Math.max(longestUnit, length);
  }

  private void use(long hash, Unit unit, long now) {
    unit.lastUsed = now;
    units.remove(hash);
    units.put(hash, unit);
  }

  private void expire(long now) {
    for (Iterator<Unit> it = units.values().iterator(); it.hasNext(); ) {
      Unit unit = it.next();
      if (now - unit.lastUsed <= expiryNanos) {
        break;
      }
      it.remove();
      storedTokens -= unit.length;
    }
    for (Iterator<Map.Entry<Long, Long>> it = seenBoundaries.entrySet().iterator(); it.hasNext(); ) {
      if (now - it.next().getValue() <= expiryNanos) {
        break;
      }
      it.remove();
    }
    if (units.isEmpty()) {
      longestUnit = 0;
    }
  }

  private void evict() {
    for (Iterator<Unit> it = units.values().iterator(); storedTokens > capacityTokens && it.hasNext(); ) {
      storedTokens -= it.next().length;
      it.remove();
    }
  }

  /** {@code hashes[i]} identifies {@code ids[0..i)}: each step mixes the previous hash and an id. */
  static long[] prefixHashes(int[] ids) {
    long[] hashes = new long[ids.length + 1];
    hashes[0] = SEED;
    for (int i = 0; i < ids.length; i++) {
      hashes[i + 1] = next(hashes[i], ids[i]);
    }
    return hashes;
  }

  private static long next(long hash, int id) {
    // SplitMix64's finalizer: every input bit flips about half the output bits.
    long z = hash * 0x9E3779B97F4A7C15L + id + 1;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A request as admitted: its prompt, the hashes of its prefixes, and its cache-hit tokens (the
   * length of the longest usable unit it fully matches; 0 for a miss).
   */
  static final class Prefill {
    private final RenderedPrompt prompt;
    private final long[] hashes;
    private final int hit;

    private Prefill(RenderedPrompt prompt, long[] hashes, int hit) {
      this.prompt = prompt;
      this.hashes = hashes;
      this.hit = hit;
    }

    int promptTokens() {
      return prompt.length();
    }

    int hitTokens() {
      return hit;
    }
  }

  private static final class Unit {
    final int length;
    final long usableAt;
    long lastUsed;

    Unit(int length, long usableAt, long lastUsed) {
      this.length = length;
      this.usableAt = usableAt;
      this.lastUsed = lastUsed;
    }
  }
}
