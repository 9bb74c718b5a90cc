package dev.flashline.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Which worker answers a job's records. */
public enum BackendKind {
  /** The embedded encoder model: no network, billed by CPU time. */
  local,
  /** Any OpenAI-compatible chat-completions endpoint, billed by tokens. */
  openai,
  /**
   * The engine inside the worker JVM running a checkpoint from disk ({@code native} in specs; the
   * trailing underscore only because {@code native} is a Java keyword), billed by engine time.
   */
  native_;

  /** The name specs and rows use. */
  @com.fasterxml.jackson.annotation.JsonValue
  public String id() {
    return this == native_ ? "native" : name();
  }

  @JsonCreator
  public static BackendKind parse(String value) {
    String name = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    for (BackendKind kind : values()) {
      if (kind.id().equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + value + "' (known: local, openai, native)");
  }
}
