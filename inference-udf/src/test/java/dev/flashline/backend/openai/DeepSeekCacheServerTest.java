package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.cost.TokenUsage;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.OpenAiSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chat client against the server in DeepSeek cache mode: real token counts, real cache rules. */
class DeepSeekCacheServerTest {
  private static final DeepSeekTokenizer TOKENIZER = DeepSeekTokenizer.instance();
  private static final Duration BUILD = Duration.ofMillis(50);
  private static final String SYSTEM =
      "Label the message as spam or ham. Spam advertises, asks for money or personal details, or"
          + " promises prizes; ham is an ordinary message between people. Answer with one JSON object"
          + " {\"label\": L, \"confidence\": C}. Examples: 'WINNER!! Claim your prize now' is spam;"
          + " 'See you at 7 at the station' is ham; 'Your account is locked, send your PIN' is spam.";

  private ChatCompletionsServer server;
  private ChatClients.Lease lease;

  @AfterEach
  void stop() {
    if (lease != null) {
      lease.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private ChatClient client(ServerConfig config) {
    server = ChatCompletionsServer.start(config);
    OpenAiSpec spec =
        OpenAiSpec.defaults()
            .withRequestTimeoutSeconds(10.0)
            .withMaxAttempts(2)
            .withEndpoint(server.baseUri().toString())
            .withApiKeyEnv("FLASHLINE_TEST_NO_SUCH_VAR");
    lease = ChatClients.acquire(spec, 32);
    return lease.client();
  }

  private static ServerConfig deepSeek() {
    return ServerConfig.defaults().withCacheModel(CacheModel.deepSeek(BUILD, Duration.ofMinutes(5)));
  }

  private static List<ChatMessage> messages(String document) {
    return List.of(ChatMessage.system(SYSTEM), ChatMessage.user(document));
  }

  private static TokenUsage usage(ChatClient client, List<ChatMessage> messages) throws Exception {
    ChatReply reply = client.complete(new ChatCall("deepseek-v4-flash", messages, true, 64)).get(30, TimeUnit.SECONDS);
    assertThat(reply.ok()).as("reply %s", reply).isTrue();
    return reply.attempts().get(reply.attempts().size() - 1).usage();
  }

  private static void waitForBuild() throws InterruptedException {
    Thread.sleep(BUILD.multipliedBy(3).toMillis());
  }

  /** BOS + system + {@code <｜User｜>}. */
  private static int staticPrefix() {
    return 1 + TOKENIZER.count(SYSTEM) + 1;
  }

  @Test
  void usageCountsRealDeepSeekTokens() throws Exception {
    ChatClient client = client(deepSeek());
    TokenUsage usage = usage(client, messages("Free entry in 2 a wkly comp to win FA Cup final tkts"));

    assertThat(usage.promptTokens())
        .isEqualTo(TOKENIZER.promptTokens(messages("Free entry in 2 a wkly comp to win FA Cup final tkts")));
    assertThat(usage.cacheHitTokens()).isZero();
    // The default answerer says {"label":"other","confidence":0.9}.
    assertThat(usage.outputTokens()).isEqualTo(TOKENIZER.count("{\"label\":\"other\",\"confidence\":0.9}"));
    assertThat(server.billedUsage().prompt()).isEqualTo(usage.promptTokens());
  }

  @Test
  void theFirstTwoRequestsMissAndTheThirdHits() throws Exception {
    ChatClient client = client(deepSeek());
    TokenUsage first = usage(client, messages("Ok lar... Joking wif u oni..."));
    waitForBuild();
    TokenUsage second = usage(client, messages("U dun say so early hor... U c already then say..."));
    waitForBuild();
    TokenUsage third = usage(client, messages("Nah I don't think he goes to usf, he lives around here though"));

    assertThat(first.cacheHitTokens()).isZero();
    assertThat(second.cacheHitTokens()).isZero();
    // The detected common prefix, cut to 64-token units: part of the static prefix.
    assertThat(third.cacheHitTokens()).isEqualTo(staticPrefix() / 64 * 64).isPositive();
    assertThat(third.cacheMissTokens()).isEqualTo(third.promptTokens() - third.cacheHitTokens());
  }

  @Test
  void aConcurrentBurstAllMissesAndAPrimedBurstAllHits() throws Exception {
    // Answers take 200 ms, so the whole burst is in flight together.
    ChatClient client = client(deepSeek().withFixedDelay(Duration.ofMillis(200)));
    List<CompletableFuture<ChatReply>> cold = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      cold.add(client.complete(new ChatCall("deepseek-v4-flash", messages("cold message " + i), true, 64)));
    }
    for (CompletableFuture<ChatReply> reply : cold) {
      assertThat(reply.get(30, TimeUnit.SECONDS).attempts().get(0).usage().cacheHitTokens()).isZero();
    }

    // A primer for a second system prompt: [system, user ""].
    String other = SYSTEM.replace("spam or ham", "urgent or not urgent");
    List<ChatMessage> primer = List.of(ChatMessage.system(other), ChatMessage.user(""));
    assertThat(usage(client, primer).cacheHitTokens()).isZero();
    waitForBuild();
    List<CompletableFuture<ChatReply>> primed = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      List<ChatMessage> request = List.of(ChatMessage.system(other), ChatMessage.user("primed message " + i));
      primed.add(client.complete(new ChatCall("deepseek-v4-flash", request, true, 64)));
    }
    int otherPrefix = 1 + TOKENIZER.count(other) + 1;
    for (CompletableFuture<ChatReply> reply : primed) {
      assertThat(reply.get(30, TimeUnit.SECONDS).attempts().get(0).usage().cacheHitTokens()).isEqualTo(otherPrefix);
    }
    TokenUsageSent billed = server.billedUsage();
    assertThat(billed.hit()).isEqualTo(16L * otherPrefix);
    assertThat(billed.hit() + billed.miss()).isEqualTo(billed.prompt());
  }

  @Test
  void aCorrectionRequestHitsTheFirstTurnAndItsAnswer() throws Exception {
    ChatClient client = client(deepSeek());
    List<ChatMessage> firstTurn = messages("Had your mobile 11 months or more? U R entitled to Update");
    ChatReply first = client.complete(new ChatCall("deepseek-v4-flash", firstTurn, true, 64)).get(30, TimeUnit.SECONDS);
    waitForBuild();

    List<ChatMessage> correction = new ArrayList<>(firstTurn);
    correction.add(ChatMessage.assistant(first.content()));
    correction.add(ChatMessage.user("'other' is not a label. Answer spam or ham."));
    TokenUsage usage = usage(client, correction);

    assertThat(usage.cacheHitTokens())
        .isEqualTo(TOKENIZER.promptTokens(firstTurn) + TOKENIZER.count(first.content()));
  }

  @Test
  void aLongAnswerIsCutAtMaxTokensInDeepSeekTokens() throws Exception {
    String longAnswer = "This message offers a prize and asks for a reply, so it is spam. ".repeat(20);
    ChatClient client = client(deepSeek().withAnswerer(request -> Answer.of(longAnswer)));
    ChatReply reply =
        client.complete(new ChatCall("deepseek-v4-flash", messages("WINNER!!"), false, 10)).get(30, TimeUnit.SECONDS);

    assertThat(reply.ok()).isTrue();
    assertThat(reply.content()).isNotEmpty();
    assertThat(longAnswer).startsWith(reply.content());
    assertThat(TOKENIZER.count(reply.content())).isBetween(8, 10);
    assertThat(reply.attempts().get(0).usage().outputTokens()).isEqualTo(TOKENIZER.count(reply.content()));
  }
}
