package dev.flashline.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flashline.cost.ExactTokenizer;
import dev.flashline.engine.LoadedModel;
import dev.flashline.engine.SamplingParams;
import dev.flashline.engine.Sequence;
import dev.flashline.task.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/**
 * The native engine behind an OpenAI-compatible {@code POST /chat/completions} (also under
 * {@code /v1}) and {@code GET /models}, so the {@code openai} backend can call a model this JVM
 * holds. Usage reports {@code prompt_tokens_details.cached_tokens}: the prompt tokens whose KV came
 * from the prefix cache, which the openai backend bills at the cache-hit price.
 */
public final class ChatServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_MAX_TOKENS = 256;

  private final LoadedModel model;
  private final HttpServer http;

  private ChatServer(LoadedModel model, HttpServer http) {
    this.model = model;
    this.http = http;
  }

  /**
   * Loads the checkpoint once and starts serving it.
   *
   * @param port 0 for any free port
   * @param kvBlocks KV blocks of {@code blockSize} tokens for all requests together
   */
  public static ChatServer start(Path modelDir, int port, int kvBlocks, int blockSize) throws IOException {
    LoadedModel model = LoadedModel.open(modelDir, kvBlocks, blockSize, 64, 8192);
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    http.setExecutor(Executors.newCachedThreadPool());
    ChatServer server = new ChatServer(model, http);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /** The checkpoint's own tokenizer; see {@link LoadedModel#openTokenizer}. */
  public static ExactTokenizer openTokenizer(Path modelDir) {
    return LoadedModel.openTokenizer(modelDir);
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public String model() {
    return model.name();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
      if (path.equals("/models") && exchange.getRequestMethod().equals("GET")) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", model.name()).put("object", "model").put("owned_by", "flashline");
        send(exchange, 200, body);
      } else if (path.equals("/chat/completions") && exchange.getRequestMethod().equals("POST")) {
        complete(exchange);
      } else {
        send(exchange, 404, error("no route " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()));
      }
    }
  }

  private void complete(HttpExchange exchange) throws IOException {
    JsonNode request;
    List<ChatMessage> messages = new ArrayList<>();
    int maxTokens;
    double temperature;
    try (InputStream in = exchange.getRequestBody()) {
      request = JSON.readTree(in);
      for (JsonNode m : request.path("messages")) {
        messages.add(new ChatMessage(m.path("role").asText(), m.path("content").asText()));
      }
      if (messages.isEmpty()) {
        send(exchange, 400, error("'messages' must be a non-empty array"));
        return;
      }
      maxTokens = request.path("max_tokens").asInt(request.path("max_completion_tokens").asInt(DEFAULT_MAX_TOKENS));
      temperature = request.path("temperature").asDouble(0);
      if (maxTokens < 1 || temperature < 0) {
        send(exchange, 400, error("max_tokens must be >= 1 and temperature >= 0"));
        return;
      }
    } catch (IOException | RuntimeException e) {
      send(exchange, 400, error("not a chat-completions request: " + e.getMessage()));
      return;
    }
    int[] prompt;
    try {
      prompt = model.encodeChat(messages);
    } catch (IllegalArgumentException e) {
      send(exchange, 400, error(e.getMessage()));
      return;
    }
    Sequence done;
    try {
      done = model.generate(prompt, new SamplingParams(temperature, maxTokens, model.stopTokenIds(), request.path("seed").asLong(0), false)).get();
    } catch (ExecutionException e) {
      send(exchange, 503, error("the engine could not run the request: " + e.getCause().getMessage()));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(exchange, 503, error("interrupted"));
      return;
    }
    ObjectNode body = JSON.createObjectNode()
        .put("id", "chatcmpl-" + done.id())
        .put("object", "chat.completion")
        .put("model", model.name());
    ObjectNode choice = body.putArray("choices").addObject().put("index", 0)
        .put("finish_reason", done.finishReason() == dev.flashline.engine.FinishReason.LENGTH ? "length" : "stop");
    choice.putObject("message").put("role", "assistant").put("content", model.answerText(done));
    // Reused tokens can exceed the prompt after a preemption recomputed it; never report more than the prompt.
    long cached = Math.min(done.promptTokensReused(), prompt.length);
    ObjectNode usage = body.putObject("usage")
        .put("prompt_tokens", prompt.length)
        .put("completion_tokens", done.numGenerated())
        .put("total_tokens", prompt.length + done.numGenerated());
    usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
    send(exchange, 200, body);
  }

  private static ObjectNode error(String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("message", message).put("type", "invalid_request_error");
    return body;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    model.close();
  }
}
