package dev.flashline.grouping;

import java.util.List;

/**
 * Prefix affinity across self-hosted replicas: a prefix always goes to the same replica, so its
 * KV cache is built once. Rendezvous hashing, so adding or removing a replica moves only the
 * prefixes that replica owned.
 */
public final class ReplicaChooser {
  private ReplicaChooser() {}

  /** The index in {@code replicas} that owns {@code prefixKey}. */
  public static int choose(String prefixKey, List<String> replicas) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("no replicas to choose from");
    }
    int best = 0;
    long bestScore = Long.MIN_VALUE;
    for (int i = 0; i < replicas.size(); i++) {
      long score = mix(ContentKey.of(prefixKey, replicas.get(i)).hashCode() * 0x9E3779B97F4A7C15L + i);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
