package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.task.ChatMessage;
import dev.flashline.task.OpenAiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real HTTP server speaking chat completions, with scripted faults. */
class ChatClientTest {
  private ChatCompletionsServer server;
  private final List<ChatClients.Lease> leases = new ArrayList<>();

  @AfterEach
  void stop() {
    leases.forEach(ChatClients.Lease::close);
    if (server != null) {
      server.close();
    }
    assertThat(ChatClients.open()).as("clients left open").isZero();
  }

  private ChatClient client(ServerConfig config, OpenAiSpec spec, int share) {
    server = ChatCompletionsServer.start(config);
    ChatClients.Lease lease = ChatClients.acquire(spec.withEndpoint(server.baseUri().toString()).withApiKeyEnv("FLASHLINE_TEST_NO_SUCH_VAR"), share);
    leases.add(lease);
    return lease.client();
  }

  private static OpenAiSpec fast() {
    return OpenAiSpec.defaults().withRequestTimeoutSeconds(5.0).withMaxAttempts(4);
  }

  private static ChatCall call(String document) {
    return new ChatCall("deepseek-v4-flash", List.of(ChatMessage.system("Label it."), ChatMessage.user(document)), true, 32);
  }

  private static ChatReply await(CompletableFuture<ChatReply> reply) throws Exception {
    return reply.get(60, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerComesWithTheUsageTheServerReported() throws Exception {
    ChatClient client = client(ServerConfig.defaults(), fast(), 8);
    ChatReply reply = await(client.complete(call("hello")));

    assertThat(reply.ok()).isTrue();
    assertThat(reply.content()).contains("\"label\"");
    assertThat(reply.attempts()).singleElement().satisfies(a -> {
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.usage()).isNotNull();
      assertThat(a.usage().promptTokens()).isPositive();
    });
    Exchange exchange = server.log().get(0);
    assertThat(exchange.usage().miss()).isEqualTo(reply.attempts().get(0).usage().cacheMissTokens());
  }

  @Test
  void aRateLimitStormIsWaitedOutAndConcurrencyShrinksThenRecovers() throws Exception {
    Script storm = Script.firstN(40, new Fault.Status(429, "0.2", null));
    ChatClient client = client(ServerConfig.defaults().withScript(storm), fast().withMaxAttempts(20), 16);
    List<CompletableFuture<ChatReply>> replies = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      replies.add(client.complete(call("doc " + i)));
    }
    for (CompletableFuture<ChatReply> reply : replies) {
      assertThat(await(reply).ok()).isTrue();
    }
    assertThat(client.limiter().overloads()).isPositive();
    assertThat(client.limiter().lowestLimit()).isLessThan(16);
    for (int i = 0; i < 64; i++) {
      await(client.complete(call("after " + i)));
    }
    assertThat(client.limiter().limit()).isEqualTo(16);
    // Only answered requests carry usage: a 429 costs nothing.
    long billed = replies.stream().map(CompletableFuture::join).flatMap(r -> r.attempts().stream()).filter(a -> a.usage() != null).count();
    assertThat(billed).isEqualTo(32);
  }

  @Test
  void serverErrorsResetsAndMalformedBodiesAreRetried() throws Exception {
    Script script =
        Script.chain(
            Script.firstAttempts("five-hundred", 2, new Fault.Status(500, null, null)),
            Script.firstAttempts("unavailable", 1, new Fault.Status(503, null, null)),
            Script.forDocumentOnce("reset", new Fault.ResetMidBody()),
            Script.forDocumentOnce("garbled", new Fault.MalformedBody()));
    ChatClient client = client(ServerConfig.defaults().withScript(script), fast(), 8);

    ChatReply fiveHundred = await(client.complete(call("five-hundred")));
    ChatReply unavailable = await(client.complete(call("unavailable")));
    ChatReply reset = await(client.complete(call("reset")));
    ChatReply garbled = await(client.complete(call("garbled")));

    assertThat(fiveHundred.ok()).isTrue();
    assertThat(fiveHundred.attempts()).extracting(ChatAttempt::status).containsExactly(500, 500, 200);
    assertThat(unavailable.attempts()).extracting(ChatAttempt::status).containsExactly(503, 200);
    assertThat(reset.ok()).isTrue();
    assertThat(reset.attempts()).hasSize(2);
    assertThat(reset.attempts().get(0).outcome()).contains("connection failed");
    assertThat(reset.attempts().get(0).usage()).isNull();
    assertThat(garbled.ok()).isTrue();
    assertThat(garbled.attempts().get(0).outcome()).contains("malformed response");
    assertThat(garbled.attempts().get(0).usage()).isNull();
  }

  @Test
  void keepAliveBlankLinesBeforeTheBodyAreFine() throws Exception {
    Script script = Script.forDocument("queued", new Fault.KeepAliveLines(5, Duration.ofMillis(100)));
    ChatClient client = client(ServerConfig.defaults().withScript(script), fast(), 8);
    ChatReply reply = await(client.complete(call("queued")));
    assertThat(reply.ok()).isTrue();
    assertThat(reply.attempts()).hasSize(1);
    assertThat(reply.attempts().get(0).usage()).isNotNull();
  }

  @Test
  void aServerThatKeepsTheConnectionAliveForEverHitsTheDeadline() throws Exception {
    // Blank lines every 100 ms for 30 s: a read timeout would never fire.
    Script script = Script.forDocument("stuck", new Fault.KeepAliveLines(300, Duration.ofMillis(100)));
    ChatClient client = client(ServerConfig.defaults().withScript(script), fast().withRequestTimeoutSeconds(0.5).withMaxAttempts(2), 8);
    long start = System.nanoTime();
    ChatReply reply = await(client.complete(call("stuck")));
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(reply.ok()).isFalse();
    assertThat(reply.failure().code()).isEqualTo(CallFailure.Code.timeout);
    assertThat(reply.failure().message()).contains("gave up after 2 attempts");
    assertThat(reply.attempts()).hasSize(2).allSatisfy(a -> assertThat(a.usage()).isNull());
    assertThat(seconds).isLessThan(10);
  }

  @Test
  void aSlowAnswerPastTheDeadlineIsRetried() throws Exception {
    Script script = Script.forDocumentOnce("slow", new Fault.Delay(Duration.ofSeconds(3)));
    ChatClient client = client(ServerConfig.defaults().withScript(script), fast().withRequestTimeoutSeconds(0.5), 8);
    ChatReply reply = await(client.complete(call("slow")));
    assertThat(reply.ok()).isTrue();
    assertThat(reply.attempts()).hasSize(2);
    assertThat(reply.attempts().get(0).outcome()).contains("timeout");
  }

  @Test
  void aRejectedRequestIsNotRetried() throws Exception {
    Script script = Script.forDocument("bad", new Fault.Status(400, null, "{\"error\":{\"message\":\"Invalid max_tokens value\"}}"));
    ChatClient client = client(ServerConfig.defaults().withScript(script), fast(), 8);
    ChatReply reply = await(client.complete(call("bad")));
    assertThat(reply.ok()).isFalse();
    assertThat(reply.failure().code()).isEqualTo(CallFailure.Code.rejected);
    assertThat(reply.failure().message()).isEqualTo("HTTP 400: Invalid max_tokens value");
    assertThat(reply.attempts()).hasSize(1);
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void aRefusedKeyStopsEverythingWithoutPrintingIt(@TempDir Path dir) throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), "sk-wrong-key-123456\n");
    ChatClient client = client(ServerConfig.defaults().withApiKey("sk-right"), fast().withApiKeyFile(keyFile.toString()), 8);
    CompletableFuture<ChatReply> reply = client.complete(call("hello"));
    assertThatThrownBy(() -> reply.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(EndpointAuthException.class)
        .satisfies(e -> assertThat(e.getCause().getMessage()).contains("HTTP 401").contains("file " + keyFile).doesNotContain("sk-wrong-key"));
  }

  @Test
  void theRightKeyIsSent(@TempDir Path dir) throws Exception {
    Path keyFile = Files.writeString(dir.resolve("key"), "sk-right\n");
    ChatClient client = client(ServerConfig.defaults().withApiKey("sk-right"), fast().withApiKeyFile(keyFile.toString()), 8);
    assertThat(await(client.complete(call("hello"))).ok()).isTrue();
  }

  @Test
  void anExhaustedBalanceStopsSending() throws Exception {
    ChatClient client = client(ServerConfig.defaults().withScript(Script.afterN(5, new Fault.Status(402, null, null))), fast(), 2);
    List<CompletableFuture<ChatReply>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      replies.add(client.complete(call("doc " + i)));
    }
    int ok = 0;
    int broke = 0;
    for (CompletableFuture<ChatReply> future : replies) {
      ChatReply reply = await(future);
      if (reply.ok()) {
        ok++;
      } else {
        assertThat(reply.failure().code()).isEqualTo(CallFailure.Code.insufficient_balance);
        broke++;
      }
    }
    assertThat(ok).isEqualTo(5);
    assertThat(broke).isEqualTo(35);
    // At most the requests already in flight when the first 402 came back were sent after it.
    assertThat(server.requests()).isLessThanOrEqualTo(5 + 2);
    assertThat(client.balanceExhausted()).isTrue();
  }

  @Test
  void requestsInFlightNeverExceedTheCap() throws Exception {
    ChatClient client = client(ServerConfig.defaults().withFixedDelay(Duration.ofMillis(100)), fast(), 10);
    List<CompletableFuture<ChatReply>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      replies.add(client.complete(call("doc " + i)));
    }
    for (CompletableFuture<ChatReply> reply : replies) {
      assertThat(await(reply).ok()).isTrue();
    }
    assertThat(server.maxConcurrent()).isLessThanOrEqualTo(10).isGreaterThanOrEqualTo(5);
    assertThat(client.limiter().peakInFlight()).isEqualTo(10);
  }
}
