package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.task.OpenAiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyTest {
  private static final String SECRET = "sk-test-0123456789abcdef";

  @Test
  void theKeyComesFromTheNamedVariableAndIsNeverPrinted() {
    ApiKey key = ApiKey.resolve(OpenAiSpec.defaults().withApiKeyEnv("MY_KEY"), Map.of("MY_KEY", SECRET));
    assertThat(key.present()).isTrue();
    assertThat(key.toString()).isEqualTo("ApiKey[$MY_KEY]").doesNotContain(SECRET);
    assertThat(key.source()).doesNotContain(SECRET);
    assertThat(key.redact("bad key " + SECRET + "!")).isEqualTo("bad key [api key]!");
    assertThat(key.authorization()).isEqualTo("Bearer " + SECRET);
  }

  @Test
  void aFileWinsOverTheVariable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "\n  " + SECRET + "  \nsecond line\n");
    ApiKey key = ApiKey.resolve(OpenAiSpec.defaults().withApiKeyFile(file.toString()), Map.of("DEEPSEEK_API_KEY", "other"));
    assertThat(key.authorization()).isEqualTo("Bearer " + SECRET);
    assertThat(key.source()).isEqualTo("file " + file);
  }

  @Test
  void aMissingOrEmptyFileIsAnErrorButAMissingVariableIsNoKey(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ApiKey.resolve(OpenAiSpec.defaults().withApiKeyFile(dir.resolve("nope").toString()), Map.of()))
        .hasMessageContaining("no such file");
    Path empty = Files.writeString(dir.resolve("empty"), "\n\n");
    assertThatThrownBy(() -> ApiKey.resolve(OpenAiSpec.defaults().withApiKeyFile(empty.toString()), Map.of()))
        .hasMessageContaining("empty");
    ApiKey none = ApiKey.resolve(OpenAiSpec.defaults(), Map.of());
    assertThat(none.present()).isFalse();
    assertThat(none.source()).contains("DEEPSEEK_API_KEY is not set");
  }
}
