package dev.flashline.backend.openai;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Emulates DeepSeek's context cache, simplified: the candidate prefixes of a request are its
 * message boundaries before the last message; a prefix counts as cached once two answered requests
 * have carried it (DeepSeek needs the first request to build the cache and bills the second as a
 * miss when they overlap, so "the first two miss" is the conservative reading). The hit is the
 * token count of the longest cached prefix. Unlike DeepSeek there are no 64-token storage units and
 * no eviction: tests need numbers they can derive by hand.
 */
final class PrefixCache {
  private static final int CACHED_AFTER = 2;

  private final ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();

  /**
   * Returns the cache-hit tokens of the request and then records its prefixes; called when the
   * response is produced, so requests that are in flight together all miss, as they would.
   */
  int hitThenRecord(List<Message> messages) {
    List<String> keys = prefixKeys(messages);
    int hit = hit(messages, keys);
    for (String key : keys) {
      seen.merge(key, 1, Integer::sum);
    }
    return hit;
  }

  /** The cache-hit tokens of the request, without recording it (for a response that fails). */
  int hit(List<Message> messages) {
    return hit(messages, prefixKeys(messages));
  }

  private int hit(List<Message> messages, List<String> keys) {
    int hit = 0;
    int tokens = 0;
    for (int i = 0; i < keys.size(); i++) {
      tokens += Tokens.message(messages.get(i));
      if (seen.getOrDefault(keys.get(i), 0) >= CACHED_AFTER) {
        hit = tokens;
      }
    }
    return hit;
  }

  /** Key i is a digest of messages[0..i]; a running digest so a long chat costs O(n), not O(n^2). */
  private static List<String> prefixKeys(List<Message> messages) {
    List<String> keys = new ArrayList<>();
    MessageDigest digest = sha256();
    for (int i = 0; i < messages.size() - 1; i++) {
      Message m = messages.get(i);
      // Length-prefixed fields: ("ab","c") and ("a","bc") must not collide.
      update(digest, m.role());
      update(digest, m.content());
      try {
        keys.add(HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest()));
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(e);
      }
    }
    return keys;
  }

  private static void update(MessageDigest digest, String field) {
    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
    digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
