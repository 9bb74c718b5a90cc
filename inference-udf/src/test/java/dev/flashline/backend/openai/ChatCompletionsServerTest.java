package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SYSTEM = "Classify the ticket."; // Classify the ticket . = 4 tokens

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private ChatCompletionsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ChatCompletionsServer start(ServerConfig config) {
    server = ChatCompletionsServer.start(config);
    return server;
  }

  private static String chat(String system, String user) {
    ObjectNode root = JSON.createObjectNode().put("model", "deepseek-v4-flash");
    root.putArray("messages")
        .add(JSON.createObjectNode().put("role", "system").put("content", system))
        .add(JSON.createObjectNode().put("role", "user").put("content", user));
    root.putObject("response_format").put("type", "json_object");
    return root.toString();
  }

  private HttpRequest.Builder request(String path, String body) {
    return HttpRequest.newBuilder(URI.create(server.baseUri() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> post(String body) throws Exception {
    return client.send(request("/chat/completions", body).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws JsonProcessingException {
    return JSON.readTree(response.body());
  }

  @Test
  void countsTokensAsDocumented() {
    assertThat(Tokens.count("Classify the ticket.")).isEqualTo(4);
    assertThat(Tokens.count("Prix: 12,50 € TTC")).isEqualTo(7); // Prix : 12 , 50 € TTC
    assertThat(Tokens.count("{\"label\":\"x\"}")).isEqualTo(9);
    assertThat(Tokens.count("  ")).isZero();
    assertThat(Tokens.truncate("one two three", 2)).isEqualTo("one two");
  }

  @Test
  void answersLikeDeepSeekWithUsage() throws Exception {
    Map<String, String> keywords = new LinkedHashMap<>();
    keywords.put("invoice", "billing");
    start(ServerConfig.defaults().withAnswerer(Answerer.classifyByKeyword(keywords, "other", 0.8)));

    HttpResponse<String> response = post(chat(SYSTEM, "My INVOICE is wrong")); // 4 tokens

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = json(response);
    assertThat(body.get("id").asText()).isEqualTo("chatcmpl-1");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("model").asText()).isEqualTo("deepseek-v4-flash");
    assertThat(body.get("created").asLong()).isPositive();
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    String content = choice.get("message").get("content").asText();
    assertThat(JSON.readTree(content)).isEqualTo(JSON.readTree("{\"label\":\"billing\",\"confidence\":0.8}"));

    JsonNode usage = body.get("usage");
    int completion = Tokens.count(content);
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(16); // (4 + 4) + (4 + 4)
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(completion);
    assertThat(usage.get("total_tokens").asInt()).isEqualTo(16 + completion);
    assertThat(usage.get("prompt_cache_hit_tokens").asInt()).isZero();
    assertThat(usage.get("prompt_cache_miss_tokens").asInt()).isEqualTo(16);
    assertThat(usage.get("completion_tokens_details").get("reasoning_tokens").asInt()).isZero();
    assertThat(usage.has("prompt_tokens_details")).isFalse();

    assertThat(server.log())
        .containsExactly(
            new Exchange(1, "deepseek-v4-flash", "My INVOICE is wrong", "None", 200,
                new TokenUsageSent(16, 0, 16, completion, 0), true));
  }

  @Test
  void theThirdRequestWithTheSameSystemMessageHitsTheCache() throws Exception {
    start(ServerConfig.defaults());
    List<JsonNode> usages = new ArrayList<>();
    for (String document : List.of("first ticket", "second ticket", "third ticket", "fourth one here")) {
      usages.add(json(post(chat(SYSTEM, document))).get("usage"));
    }

    assertThat(usages.get(0).get("prompt_cache_hit_tokens").asInt()).isZero();
    assertThat(usages.get(1).get("prompt_cache_hit_tokens").asInt()).isZero();
    assertThat(usages.get(2).get("prompt_cache_hit_tokens").asInt()).isEqualTo(8); // system: 4 + 4
    assertThat(usages.get(2).get("prompt_cache_miss_tokens").asInt()).isEqualTo(6); // user: 2 + 4
    assertThat(usages.get(3).get("prompt_cache_hit_tokens").asInt()).isEqualTo(8);
    assertThat(usages.get(3).get("prompt_cache_miss_tokens").asInt()).isEqualTo(7);
  }

  @Test
  void openAiStyleReportsCachedTokensInPromptTokensDetails() throws Exception {
    start(ServerConfig.defaults().withUsageStyle(UsageStyle.OPENAI));
    JsonNode usage = null;
    for (int i = 0; i < 3; i++) {
      usage = json(post(chat(SYSTEM, "ticket " + i))).get("usage");
    }

    assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(8);
    assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(14);
    assertThat(usage.get("completion_tokens_details").get("reasoning_tokens").asInt()).isZero();
    assertThat(usage.has("prompt_cache_hit_tokens")).isFalse();
    assertThat(usage.has("prompt_cache_miss_tokens")).isFalse();
  }

  @Test
  void usageStyleNoneSendsNoUsage() throws Exception {
    start(ServerConfig.defaults().withUsageStyle(UsageStyle.NONE));

    JsonNode body = json(post(chat(SYSTEM, "x")));

    assertThat(body.has("usage")).isFalse();
    assertThat(server.log().get(0).usage()).isNull();
  }

  @Test
  void reasoningTokensAreBilledAsCompletionButNotShown() throws Exception {
    start(ServerConfig.defaults().withAnswerer(request -> new Answer("fine", 30)));

    JsonNode usage = json(post(chat(SYSTEM, "x"))).get("usage");

    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(31);
    assertThat(usage.get("completion_tokens_details").get("reasoning_tokens").asInt()).isEqualTo(30);
  }

  @Test
  void maxTokensCutsTheAnswerWithFinishReasonLength() throws Exception {
    start(ServerConfig.defaults().withAnswerer(Answerer.summaryFirstWords(5)));
    ObjectNode request = (ObjectNode) JSON.readTree(chat(SYSTEM, "one two three four five six"));
    request.put("max_tokens", 3);

    JsonNode choice = json(post(request.toString())).get("choices").get(0);

    assertThat(choice.get("message").get("content").asText()).isEqualTo("one two three");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void statusFaultsCarryDeepSeekErrorBodiesAndRetryAfter() throws Exception {
    start(
        ServerConfig.defaults()
            .withScript(
                Script.chain(
                    Script.forDocument("rate", Fault.Status.rateLimited("1")),
                    Script.forDocument("broke", new Fault.Status(402)),
                    Script.forDocument("busy", new Fault.Status(503)),
                    Script.forDocument("crash", new Fault.Status(500)))));

    HttpResponse<String> rateLimited = post(chat(SYSTEM, "rate"));
    assertThat(rateLimited.statusCode()).isEqualTo(429);
    assertThat(rateLimited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(json(rateLimited).at("/error/type").asText()).isEqualTo("rate_limit_error");

    HttpResponse<String> broke = post(chat(SYSTEM, "broke"));
    assertThat(broke.statusCode()).isEqualTo(402);
    assertThat(json(broke).at("/error/message").asText()).isEqualTo("Insufficient Balance");
    assertThat(broke.headers().firstValue("Retry-After")).isEmpty();

    assertThat(post(chat(SYSTEM, "busy")).statusCode()).isEqualTo(503);
    assertThat(post(chat(SYSTEM, "crash")).statusCode()).isEqualTo(500);
    assertThat(post(chat(SYSTEM, "fine")).statusCode()).isEqualTo(200);

    assertThat(server.log()).extracting(Exchange::status).containsExactly(429, 402, 503, 500, 200);
    assertThat(server.log().subList(0, 4)).allSatisfy(e -> assertThat(e.usage()).isNull());
  }

  @Test
  void resetMidBodyFailsAFullBodyReadAndIsNotDelivered() throws Exception {
    start(ServerConfig.defaults().withScript(Script.forDocumentOnce("doc", new Fault.ResetMidBody())));

    assertThatThrownBy(() -> post(chat(SYSTEM, "doc"))).isInstanceOf(IOException.class);
    HttpResponse<String> retry = post(chat(SYSTEM, "doc"));

    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(server.log()).extracting(Exchange::fault).containsExactly("ResetMidBody", "None");
    assertThat(server.log()).extracting(Exchange::delivered).containsExactly(false, true);
  }

  @Test
  void resetMidBodyHappensAfterTheFixedDelayToo() throws Exception {
    start(
        ServerConfig.defaults()
            .withFixedDelay(Duration.ofMillis(200))
            .withScript(Script.firstN(1, new Fault.ResetMidBody())));
    long start = System.nanoTime();

    assertThatThrownBy(() -> post(chat(SYSTEM, "doc"))).isInstanceOf(IOException.class);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void keepAliveLinesPrecedeAParsableBody() throws Exception {
    start(
        ServerConfig.defaults()
            .withScript(Script.firstN(1, new Fault.KeepAliveLines(3, Duration.ofMillis(100)))));
    long start = System.nanoTime();

    HttpResponse<String> response = post(chat(SYSTEM, "doc"));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
    assertThat(response.body()).startsWith("\n\n\n{");
    assertThat(json(response).at("/usage/prompt_tokens").asInt()).isEqualTo(13);
    assertThat(server.log().get(0).usage()).isNotNull();
  }

  @Test
  void keepAliveHeadersArriveBeforeTheBody() throws Exception {
    start(
        ServerConfig.defaults()
            .withScript(Script.firstN(1, new Fault.KeepAliveLines(2, Duration.ofMillis(400)))));
    long start = System.nanoTime();

    HttpResponse<java.io.InputStream> response =
        client.send(request("/chat/completions", chat(SYSTEM, "doc")).build(), HttpResponse.BodyHandlers.ofInputStream());
    Duration headers = Duration.ofNanos(System.nanoTime() - start);
    byte[] body = response.body().readAllBytes();

    assertThat(headers).isLessThan(Duration.ofMillis(400));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(JSON.readTree(body).has("choices")).isTrue();
  }

  @Test
  void malformedBodyDoesNotParse() throws Exception {
    start(ServerConfig.defaults().withScript(Script.firstN(1, new Fault.MalformedBody())));

    HttpResponse<String> response = post(chat(SYSTEM, "doc"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length());
    assertThatThrownBy(() -> json(response)).isInstanceOf(JsonProcessingException.class);
    assertThat(server.log().get(0).usage()).isNull();
  }

  @Test
  void contentFaultIsANormalBilledAnswer() throws Exception {
    start(ServerConfig.defaults().withScript(Script.firstN(1, new Fault.Content("{\"label\":\"spam\"}"))));

    JsonNode body = json(post(chat(SYSTEM, "doc")));

    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("{\"label\":\"spam\"}");
    assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(9);
    assertThat(server.log().get(0).fault()).isEqualTo("Content");
  }

  @Test
  void delayTakesAtLeastTheDelay() throws Exception {
    start(ServerConfig.defaults().withScript(Script.firstN(1, new Fault.Delay(Duration.ofMillis(400)))));
    long start = System.nanoTime();

    assertThat(post(chat(SYSTEM, "doc")).statusCode()).isEqualTo(200);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void aClientThatGaveUpIsLoggedAsNotDelivered() throws Exception {
    start(ServerConfig.defaults().withScript(Script.firstN(1, new Fault.Delay(Duration.ofMillis(500)))));

    assertThatThrownBy(
            () ->
                client.send(
                    request("/chat/completions", chat(SYSTEM, "doc")).timeout(Duration.ofMillis(100)).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.log().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertThat(server.log()).singleElement().satisfies(e -> assertThat(e.delivered()).isFalse());
    assertThat(server.deliveredUsage()).isEqualTo(TokenUsageSent.ZERO);
  }

  @Test
  void requiresTheApiKeyWhenConfigured() throws Exception {
    start(ServerConfig.defaults().withApiKey("sk-test"));

    HttpResponse<String> missing = post(chat(SYSTEM, "doc"));
    HttpResponse<String> wrong =
        client.send(
            request("/chat/completions", chat(SYSTEM, "doc")).header("Authorization", "Bearer sk-other").build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> right =
        client.send(
            request("/chat/completions", chat(SYSTEM, "doc")).header("Authorization", "Bearer sk-test").build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body())
        .isEqualTo(
            "{\"error\":{\"message\":\"Authentication Fails, Your api key is invalid\","
                + "\"type\":\"authentication_error\",\"param\":null,\"code\":\"invalid_request_error\"}}");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void listsModelsAndRejectsUnknownPaths() throws Exception {
    start(ServerConfig.defaults().withApiKey("sk-test"));
    HttpRequest.Builder models = HttpRequest.newBuilder(URI.create(server.baseUri() + "/models")).GET();

    HttpResponse<String> unauthorized = client.send(models.build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> listed =
        client.send(models.header("Authorization", "Bearer sk-test").build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> unknown =
        client.send(request("/completions", "{}").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(json(listed).findValuesAsText("id")).containsExactly("deepseek-v4-flash", "deepseek-v4-pro");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/message").asText()).contains("/v1/completions");
  }

  @Test
  void rejectsMalformedRequestsWithA400NamingTheProblem() throws Exception {
    start(ServerConfig.defaults());

    HttpResponse<String> notJson = post("{\"model\":");
    HttpResponse<String> noModel = post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    HttpResponse<String> noMessages = post("{\"model\":\"some-unknown-model\"}");
    HttpResponse<String> unknownModel =
        post("{\"model\":\"some-unknown-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).at("/error/message").asText()).contains("not valid JSON");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(json(noModel).at("/error/message").asText()).contains("model");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(json(noMessages).at("/error/message").asText()).contains("messages");
    assertThat(unknownModel.statusCode()).isEqualTo(200);
  }

  @Test
  void scriptsPickTheRequestsTheyFault() throws Exception {
    Fault busy = new Fault.Status(503);
    start(
        ServerConfig.defaults()
            .withScript(
                Script.chain(
                    Script.firstAttempts("flaky", 2, busy),
                    Script.afterN(6, new Fault.Status(402)))));

    List<Integer> statuses = new ArrayList<>();
    for (String document : List.of("a flaky one", "a flaky one", "a flaky one", "b", "c", "d", "e")) {
      statuses.add(post(chat(SYSTEM, document)).statusCode());
    }

    assertThat(statuses).containsExactly(503, 503, 200, 200, 200, 200, 402);
  }

  @Test
  void delayedAnswersHoldNoThreadEach() throws Exception {
    // More requests than the server has handler and scheduler threads together: if a delayed
    // answer held a thread, they could not all be in flight at once.
    int requests = 200;
    // The delay must outlast sending all the requests, also on a loaded machine (at 300 ms only
    // 155 of 200 overlapped while other builds shared the 2 cores).
    start(ServerConfig.defaults().withFixedDelay(Duration.ofSeconds(2)));
    long start = System.nanoTime();

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      responses.add(
          client.sendAsync(request("/chat/completions", chat(SYSTEM, "doc " + i)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(responses).allSatisfy(r -> assertThat(r.join().statusCode()).isEqualTo(200));
    assertThat(server.maxConcurrent()).isGreaterThanOrEqualTo(requests);
    // A correctness bound, not a benchmark: one at a time would take 200 x 2 s = 400 s.
    assertThat(elapsed).isLessThan(Duration.ofSeconds(30));
    assertThat(server.log()).hasSize(requests).allSatisfy(e -> assertThat(e.delivered()).isTrue());
    assertThat(server.inFlight()).isZero();
  }

  @Test
  void logSumsTheUsageTheClientReceived() throws Exception {
    start(
        ServerConfig.defaults()
            .withScript(
                Script.chain(
                    Script.forDocument("reset", new Fault.ResetMidBody()),
                    Script.forDocument("busy", Fault.Status.rateLimited("2")),
                    Script.forDocument("slow", new Fault.KeepAliveLines(2, Duration.ofMillis(20))))));

    TokenUsageSent received = TokenUsageSent.ZERO;
    for (String document : List.of("one", "reset", "two words", "busy", "slow", "three more words", "reset")) {
      HttpResponse<String> response;
      try {
        response = post(chat(SYSTEM, document));
      } catch (IOException e) {
        continue;
      }
      JsonNode usage = json(response).get("usage");
      if (usage != null) {
        long hit = usage.get("prompt_cache_hit_tokens").asLong();
        long miss = usage.get("prompt_cache_miss_tokens").asLong();
        received =
            received.plus(
                new TokenUsageSent(
                    usage.get("prompt_tokens").asLong(),
                    hit,
                    miss,
                    usage.get("completion_tokens").asLong(),
                    usage.at("/completion_tokens_details/reasoning_tokens").asLong()));
      }
    }

    assertThat(server.requests()).isEqualTo(7);
    assertThat(server.log()).hasSize(7);
    assertThat(received.hit()).isPositive();
    assertThat(server.deliveredUsage()).isEqualTo(received);
  }
}
