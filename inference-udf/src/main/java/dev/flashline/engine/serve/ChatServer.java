package dev.flashline.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flashline.cost.ExactTokenizer;
import dev.flashline.engine.LlmEngine;
import dev.flashline.engine.SamplingParams;
import dev.flashline.engine.Sequence;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.models.DecoderConfig;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.task.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

  private final String modelName;
  private final Checkpoint checkpoint;
  private final ExactTokenizer tokenizer;
  private final ChatTemplate template;
  private final EngineWorker worker;
  private final HttpServer http;
  private final int vocab;

  private ChatServer(String modelName, Checkpoint checkpoint, ExactTokenizer tokenizer, EngineWorker worker, HttpServer http, int vocab) {
    this.modelName = modelName;
    this.checkpoint = checkpoint;
    this.tokenizer = tokenizer;
    this.template = ChatTemplate.forModelType(checkpoint.config().modelType());
    this.worker = worker;
    this.http = http;
    this.vocab = vocab;
  }

  /**
   * Loads the checkpoint once and starts serving it.
   *
   * @param port 0 for any free port
   * @param kvBlocks KV blocks of {@code blockSize} tokens for all requests together
   */
  public static ChatServer start(Path modelDir, int port, int kvBlocks, int blockSize) throws IOException {
    Checkpoint checkpoint = Checkpoint.open(modelDir);
    ExactTokenizer tokenizer;
    try {
      tokenizer = openTokenizer(modelDir);
    } catch (RuntimeException e) {
      checkpoint.close();
      throw e;
    }
    DecoderConfig config = DecoderConfig.of(checkpoint.config());
    LlmEngine engine = new LlmEngine(new LlamaModel(config, checkpoint), kvBlocks, blockSize, 64, 8192, -1);
    EngineWorker worker = new EngineWorker(engine);
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    http.setExecutor(Executors.newCachedThreadPool());
    ChatServer server = new ChatServer(modelDir.getFileName().toString(), checkpoint, tokenizer, worker, http, config.vocab());
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  /**
   * The checkpoint's own tokenizer ({@code tokenizer.json} beside its weights).
   *
   * @throws CheckpointException when the directory has no usable tokenizer.json
   */
  public static ExactTokenizer openTokenizer(Path modelDir) {
    Path file = modelDir.resolve("tokenizer.json");
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new CheckpointException(modelDir + ": no tokenizer.json; serving needs the model's tokenizer beside its weights");
    }
    try (InputStream json = java.nio.file.Files.newInputStream(file)) {
      return ExactTokenizer.load(json);
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(file + ": cannot load the tokenizer: " + e.getMessage());
    }
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public String model() {
    return modelName;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
      if (path.equals("/models") && exchange.getRequestMethod().equals("GET")) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", modelName).put("object", "model").put("owned_by", "flashline");
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
    int[] prompt = tokenizer.encode(template.render(messages));
    for (int id : prompt) {
      if (id >= vocab) {
        send(exchange, 400, error("token id " + id + " is outside the model's vocabulary of " + vocab));
        return;
      }
    }
    Sequence done;
    try {
      done = worker.submit(prompt, new SamplingParams(temperature, maxTokens, Set.of(), request.path("seed").asLong(0), false)).get();
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
        .put("model", modelName);
    ObjectNode choice = body.putArray("choices").addObject().put("index", 0)
        .put("finish_reason", done.finishReason() == dev.flashline.engine.FinishReason.LENGTH ? "length" : "stop");
    choice.putObject("message").put("role", "assistant").put("content", tokenizer.decode(done.generatedTokenIds()));
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
    worker.close();
    tokenizer.close();
    checkpoint.close();
  }
}
