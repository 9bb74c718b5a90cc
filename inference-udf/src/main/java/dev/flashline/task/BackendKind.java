package dev.flashline.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** Which worker answers a job's records. */
public enum BackendKind {
  /** The embedded encoder model: no network, billed by CPU time. */
  local,
  /** Any OpenAI-compatible chat-completions endpoint, billed by tokens. */
  openai;

  @JsonCreator
  public static BackendKind parse(String value) {
    String name = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    for (BackendKind kind : values()) {
      if (kind.name().equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + value + "' (known: local, openai)");
  }
}
