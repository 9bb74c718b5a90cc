package dev.flashline.engine;

/**
 * The chained hash of a full KV block: a function of the previous block's hash and this block's
 * tokens, so a block's hash stands for the whole prefix up to its end. It only finds candidates;
 * {@link Block#holds} confirms them, so a weak or colliding hash costs reuse, never correctness
 * (tests inject a colliding one).
 */
@FunctionalInterface
interface BlockHasher {
  /** The hash of the first block's (non-existent) parent. */
  long ROOT = 0x9E3779B97F4A7C15L;

  long hash(long parentHash, int[] tokens, int from, int length);

  /**
   * A 64-bit multiply-xorshift mix over the token ids (murmur3's finaliser per step): fast,
   * well-spread, and with no dependency. Not cryptographic, which is fine because hits are
   * verified by content.
   */
  BlockHasher DEFAULT = (parentHash, tokens, from, length) -> {
    long h = parentHash ^ (length * 0xC2B2AE3D27D4EB4FL);
    for (int i = from; i < from + length; i++) {
      h = mix(h ^ (tokens[i] & 0xFFFFFFFFL) * 0x9E3779B97F4A7C15L);
    }
    return mix(h);
  };

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
