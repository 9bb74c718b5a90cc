package dev.flashline.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The backend, endpoint and cascade parts of a job spec. */
class JobSpecRoutingTest {
  private static final String SOURCE = "routing.yaml";

  private static final String LABELS =
      """
      name: tickets
      task: classify
      labels:
        - name: billing
        - name: bug
      """;

  private static final String CASCADE =
      LABELS
          + """
      openai:
        endpoint: http://127.0.0.1:8000/v1/
        api_key_env: MY_KEY
        max_in_flight: 500
        request_options:
          thinking: {type: disabled}
      cascade:
        - stage: local
          accept_confidence: 0.95
        - stage: flash
          model: deepseek-v4-flash
          accept_confidence: 0.8
        - stage: pro
          model: deepseek-v4-pro
      """;

  @Test
  void aSpecWithoutBackendRunsLocally() throws Exception {
    JobSpec spec = JobSpecLoader.parse(LABELS, SOURCE);
    assertThat(spec.effectiveBackend()).isEqualTo(BackendKind.local);
    assertThat(spec.usesLocal()).isTrue();
    assertThat(spec.usesOpenAi()).isFalse();
    assertThat(spec.isCascade()).isFalse();
    assertThat(spec.openai().endpoint()).isEqualTo(OpenAiSpec.DEFAULT_ENDPOINT);
  }

  @Test
  void aCascadeIsReadWithItsStagesAndEndpoint() throws Exception {
    JobSpec spec = JobSpecLoader.parse(CASCADE, SOURCE);

    assertThat(spec.isCascade()).isTrue();
    assertThat(spec.route()).extracting(StageSpec::stage).containsExactly("local", "flash", "pro");
    assertThat(spec.route()).extracting(StageSpec::backend).containsExactly(BackendKind.local, BackendKind.openai, BackendKind.openai);
    assertThat(spec.modelOf(spec.route().get(2))).isEqualTo("deepseek-v4-pro");
    assertThat(spec.usesLocal()).isTrue();
    assertThat(spec.usesOpenAi()).isTrue();
    assertThat(spec.openai().endpoint()).isEqualTo("http://127.0.0.1:8000/v1");
    assertThat(spec.openai().chatCompletionsUri().toString()).isEqualTo("http://127.0.0.1:8000/v1/chat/completions");
    assertThat(spec.openai().maxInFlight()).isEqualTo(500);
    assertThat(spec.openai().requestOptions()).containsKey("thinking");
  }

  @Test
  void theCommandLineBackendReplacesTheCascade() throws Exception {
    JobSpec spec = JobSpecLoader.parse(CASCADE, SOURCE).withBackend(BackendKind.openai);
    assertThat(spec.isCascade()).isFalse();
    assertThat(spec.route()).singleElement().satisfies(stage -> assertThat(stage.backend()).isEqualTo(BackendKind.openai));
    assertThat(spec.usesLocal()).isFalse();
  }

  @Test
  void cascadeMistakesAreNamed() {
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "cascade:\n  - stage: flash\n    model: a\n  - stage: local\n", SOURCE))
        .hasMessageContaining("cascade[0]")
        .hasMessageContaining("accept_confidence");
    assertThatThrownBy(
            () -> JobSpecLoader.parse(LABELS + "cascade:\n  - stage: flash\n    accept_confidence: 0.9\n  - stage: local\n", SOURCE))
        .hasMessageContaining("cascade[1]")
        .hasMessageContaining("local stage can only come first");
    assertThatThrownBy(
            () -> JobSpecLoader.parse(LABELS + "cascade:\n  - stage: local\n    accept_confidence: 0.9\n  - stage: pro\n    accept_confidence: 0.5\n", SOURCE))
        .hasMessageContaining("last stage answers every record");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "cascade:\n  - stage: local\n    accept_confidence: 1.5\n  - stage: pro\n", SOURCE))
        .hasMessageContaining("accept_confidence must be in (0, 1]");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: openai\ncascade:\n  - stage: local\n    accept_confidence: 0.9\n  - stage: pro\n", SOURCE))
        .hasMessageContaining("either 'backend' or 'cascade'");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "cascade:\n  - stage: local\n    acept_confidence: 0.9\n", SOURCE))
        .hasMessageContaining("unknown field 'cascade[0].acept_confidence'")
        .hasMessageContaining("line");
  }

  @Test
  void endpointMistakesAreNamed() {
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: openai\nopenai:\n  endpoint: ftp://x\n", SOURCE))
        .hasMessageContaining("openai.endpoint must be an http(s) URL");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: openai\nopenai:\n  endpoint: https://user:secret@host/v1\n", SOURCE))
        .hasMessageContaining("must not carry credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret@"));
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: openai\nopenai:\n  max_in_flight: 0\n", SOURCE))
        .hasMessageContaining("max_in_flight");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: openai\nopenai:\n  request_options: {model: other}\n", SOURCE))
        .hasMessageContaining("request_options.model");
    assertThatThrownBy(() -> JobSpecLoader.parse(LABELS + "backend: gpu\n", SOURCE)).hasMessageContaining("unknown backend 'gpu'");
  }

  @Test
  void aSpecSerializesWithoutAnyKey() throws Exception {
    JobSpec spec = JobSpecLoader.parse(CASCADE, SOURCE);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    assertThat(bytes.size()).isPositive();
    assertThat(spec.openai().toString()).contains("MY_KEY").doesNotContain("Bearer");
  }
}
