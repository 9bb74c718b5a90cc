package dev.flashline.backend.openai;

import dev.flashline.task.OpenAiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * An API key, resolved where the requests are made (on the worker) from the file or environment
 * variable the spec names. Deliberately not {@link java.io.Serializable} and never printed: only
 * where it came from is.
 */
public final class ApiKey {
  private final String value;
  private final String source;

  private ApiKey(String value, String source) {
    this.value = value;
    this.source = source;
  }

  /** No key: fine for a self-hosted server without authentication. */
  static ApiKey none(String why) {
    return new ApiKey(null, why);
  }

  /**
   * The key from {@code api_key_file} when set (it must then exist and hold a key), else from the
   * environment variable {@code api_key_env}, else none.
   *
   * @throws IllegalArgumentException when the named file is missing, unreadable or empty
   */
  public static ApiKey resolve(OpenAiSpec spec) {
    return resolve(spec, System.getenv());
  }

  static ApiKey resolve(OpenAiSpec spec, Map<String, String> environment) {
    if (spec.apiKeyFile() != null) {
      Path file = Path.of(spec.apiKeyFile().replaceFirst("^~(?=/|$)", System.getProperty("user.home")));
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("openai.api_key_file " + file + ": no such file");
      } catch (IOException e) {
        throw new IllegalArgumentException("openai.api_key_file " + file + ": cannot read: " + e.getClass().getSimpleName());
      }
      String key = text.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse("");
      if (key.isEmpty()) {
        throw new IllegalArgumentException("openai.api_key_file " + file + ": the file is empty");
      }
      return new ApiKey(key, "file " + file);
    }
    String key = Optional.ofNullable(environment.get(spec.apiKeyEnv())).map(String::strip).orElse("");
    if (key.isEmpty()) {
      return none("no key: $" + spec.apiKeyEnv() + " is not set");
    }
    return new ApiKey(key, "$" + spec.apiKeyEnv());
  }

  public boolean present() {
    return value != null;
  }

  /** Where the key came from, safe to print. */
  public String source() {
    return source;
  }

  String authorization() {
    return "Bearer " + value;
  }

  /** Hides the key from anything that scrubs text it may have echoed (error bodies, exceptions). */
  String redact(String text) {
    return value == null || text == null ? text : text.replace(value, "[api key]");
  }

  @Override
  public String toString() {
    return "ApiKey[" + source + "]";
  }
}
