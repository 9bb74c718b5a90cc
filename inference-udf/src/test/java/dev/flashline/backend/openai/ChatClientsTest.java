package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.task.OpenAiSpec;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatClientsTest {
  private static final OpenAiSpec SPEC =
      OpenAiSpec.defaults().withEndpoint("http://127.0.0.1:9/v1").withApiKeyEnv("FLASHLINE_TEST_NO_SUCH_VAR").withMaxInFlight(100);

  @AfterEach
  void noLeaks() {
    assertThat(ChatClients.open()).isZero();
  }

  @Test
  void workersOfOneRunShareOneClientWhoseCapIsTheirSharesUpToTheJobsCap() {
    assertThat(ChatClients.share(SPEC, 4)).isEqualTo(25);
    try (ChatClients.Lease a = ChatClients.acquire(SPEC, 25, Clock.systemUTC(), "run-1");
        ChatClients.Lease b = ChatClients.acquire(SPEC.withModel("deepseek-v4-pro"), 25, Clock.systemUTC(), "run-1")) {
      assertThat(a.client()).isSameAs(b.client());
      assertThat(ChatClients.open()).isEqualTo(1);
      assertThat(a.client().limiter().capacity()).isEqualTo(50);
      try (ChatClients.Lease c = ChatClients.acquire(SPEC, 25, Clock.systemUTC(), "run-1");
          ChatClients.Lease d = ChatClients.acquire(SPEC, 25, Clock.systemUTC(), "run-1");
          ChatClients.Lease e = ChatClients.acquire(SPEC, 25, Clock.systemUTC(), "run-1")) {
        // More workers than the job's parallelism (a runner may make extra instances): still 100.
        assertThat(a.client().limiter().capacity()).isEqualTo(100);
      }
      assertThat(a.client().limiter().capacity()).isEqualTo(50);
      b.close();
      b.close();
      assertThat(a.client().limiter().capacity()).isEqualTo(25);
    }
  }

  @Test
  void runsDoNotShareClients() {
    try (ChatClients.Lease a = ChatClients.acquire(SPEC, 10, Clock.systemUTC(), "run-1");
        ChatClients.Lease b = ChatClients.acquire(SPEC, 10, Clock.systemUTC(), "run-2")) {
      assertThat(a.client()).isNotSameAs(b.client());
      assertThat(ChatClients.open()).isEqualTo(2);
    }
  }

  @Test
  void whatAFailedRunLeftOpenIsClosedByTheLauncher() {
    ChatClients.acquire(SPEC, 10, Clock.systemUTC(), "failed-run");
    ChatClients.acquire(SPEC, 10, Clock.systemUTC(), "other-run").close();
    assertThat(ChatClients.open()).isEqualTo(1);
    ChatClients.closeRun("failed-run");
    assertThat(ChatClients.open()).isZero();
  }
}
