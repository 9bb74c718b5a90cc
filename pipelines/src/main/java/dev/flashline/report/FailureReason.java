package dev.flashline.report;

import java.util.regex.Pattern;

/** The reason code a failed row's error starts with, such as {@code rate_limited} in "rate_limited: ...". */
final class FailureReason {
  /** For errors without a code, such as those from reading input written before codes existed. */
  static final String OTHER = "other";

  private static final Pattern CODE = Pattern.compile("[a-z0-9_]+");

  private FailureReason() {}

  static String of(String error) {
    if (error == null) {
      return OTHER;
    }
    int colon = error.indexOf(':');
    if (colon <= 0) {
      return OTHER;
    }
    String code = error.substring(0, colon);
    return CODE.matcher(code).matches() ? code : OTHER;
  }
}
