package dev.flashline.grouping;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Digests that name what a request depends on. Two requests with the same prefix key share their
 * prompt's static part and parameters; two with the same content key would get the same answer,
 * so only one is paid for.
 */
public final class ContentKey {
  private ContentKey() {}

  /** A digest of the fields, length-prefixed so ("ab","c") and ("a","bc") differ. */
  public static String of(String... fields) {
    MessageDigest digest = sha256();
    for (String field : fields) {
      byte[] bytes = (field == null ? "\u0000null" : field).getBytes(StandardCharsets.UTF_8);
      digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
      digest.update(bytes);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The key of one document under one prefix (prompt, model and parameters). */
  public static String request(String prefixKey, String text) {
    return of(prefixKey, text);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
