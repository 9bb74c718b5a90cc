package dev.flashline.backend.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI-compatible chat-completions protocol the way
 * DeepSeek does (usage with prefix-cache hits, DeepSeek's error bodies), with scripted faults, so
 * an HTTP client can be tested against the failures it will meet in production.
 *
 * <p>Handlers only read, parse and schedule; answers are written later from a small scheduler
 * pool, so a thousand delayed requests hold no thousand threads.
 */
public final class ChatCompletionsServer implements AutoCloseable {
  static final List<String> MODELS = List.of("deepseek-v4-flash", "deepseek-v4-pro");

  // Far above any test's concurrency: a full backlog makes connects fail, which would look like a
  // client bug. The kernel may cap it lower (net.core.somaxconn).
  private static final int BACKLOG = 4096;
  // Handlers never block on anything but reading a request, so a few dozen serve thousands.
  private static final int HANDLER_THREADS = 64;
  // Writes are a few hundred bytes into a socket buffer; a stuck reader could hold one of these.
  private static final int SCHEDULER_THREADS = 4;
  // Writing a response to a reading client takes microseconds; this only bounds a stuck one.
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerConfig config;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final ScheduledExecutorService scheduler;
  private final TokenMeter meter;
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private final ConcurrentLinkedQueue<Exchange> log = new ConcurrentLinkedQueue<>();
  // Replies whose last bytes may already be with the client but which are not logged yet.
  private final Set<ServerResponse> writing = ConcurrentHashMap.newKeySet();

  private ChatCompletionsServer(ServerConfig config) throws IOException {
    this.config = config;
    this.meter = TokenMeter.of(config.cacheModel());
    this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemon("chat-server-handler"));
    this.scheduler = Executors.newScheduledThreadPool(SCHEDULER_THREADS, daemon("chat-server-scheduler"));
    this.http =
        HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), BACKLOG);
    http.setExecutor(handlers);
    http.createContext("/", this::route);
  }

  public static ChatCompletionsServer start(ServerConfig config) {
    try {
      ChatCompletionsServer server = new ChatCompletionsServer(config);
      server.http.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the chat-completions server", e);
    }
  }

  /** {@code http://127.0.0.1:PORT/v1}; clients POST {@code /chat/completions} below it. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/v1");
  }

  /**
   * Every finished chat request, ordered by request number. A client can have read a whole
   * response a moment before the server logs it (the write returns after the last byte left), so
   * this first waits for responses being written to be logged: a test that checks the log right
   * after its last response sees that response.
   */
  public List<Exchange> log() {
    for (ServerResponse reply : List.copyOf(writing)) {
      try {
        reply.awaitLogged(SETTLE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return log.stream().sorted(Comparator.comparingInt(Exchange::requestNumber)).toList();
  }

  /** The sum of the usage of responses that reached the client whole; see {@link #log()}. */
  public TokenUsageSent deliveredUsage() {
    return log().stream().map(Exchange::deliveredUsage).reduce(TokenUsageSent.ZERO, TokenUsageSent::plus);
  }

  /**
   * The sum of the usage of every response the server billed, delivered or not: what the server's
   * cache served, for benchmarks comparing cache-hit ratios. See {@link #log()}.
   */
  public TokenUsageSent billedUsage() {
    return log().stream()
        .map(Exchange::usage)
        .filter(usage -> usage != null)
        .reduce(TokenUsageSent.ZERO, TokenUsageSent::plus);
  }

  /** The most chat requests that were received and not yet answered at one time. */
  public int maxConcurrent() {
    return maxConcurrent.get();
  }

  /** Chat requests received so far, rejected ones included. */
  public int requests() {
    return received.get();
  }

  /** Chat requests received and not yet logged; call {@link #log()} first to let writes settle. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    http.stop(0);
    scheduler.shutdownNow();
    handlers.shutdownNow();
  }

  ServerConfig config() {
    return config;
  }

  TokenMeter meter() {
    return meter;
  }

  void schedule(Duration delay, Runnable step) {
    if (delay.isZero()) {
      step.run();
    } else {
      scheduler.schedule(step, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  void writing(ServerResponse reply) {
    writing.add(reply);
  }

  void finished(ServerResponse reply, Exchange exchange) {
    log.add(exchange);
    writing.remove(reply);
    inFlight.decrementAndGet();
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/v1/chat/completions")) {
      if (method.equals("POST")) {
        chat(exchange);
      } else {
        respond(exchange, 405, ErrorBodies.forStatus(405));
      }
    } else if (path.equals("/v1/models")) {
      if (!method.equals("GET")) {
        respond(exchange, 405, ErrorBodies.forStatus(405));
      } else if (!authorized(exchange)) {
        respond(exchange, 401, ErrorBodies.forStatus(401));
      } else {
        respond(exchange, 200, models());
      }
    } else {
      respond(exchange, 404, ErrorBodies.of("Not Found: " + path, "invalid_request_error", "invalid_request_error"));
    }
  }

  private void chat(HttpExchange exchange) {
    int number = received.incrementAndGet();
    maxConcurrent.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    ServerResponse reply = new ServerResponse(this, exchange, number);
    byte[] body;
    try {
      body = exchange.getRequestBody().readAllBytes();
    } catch (IOException e) {
      reply.abandon();
      return;
    }
    if (!authorized(exchange)) {
      reply.rejectAfter(config.fixedDelay(), 401, ErrorBodies.forStatus(401));
      return;
    }
    ChatRequest request;
    try {
      request = ChatRequest.parse(body);
    } catch (ChatRequest.BadRequest e) {
      reply.rejectAfter(
          config.fixedDelay(),
          400,
          ErrorBodies.of(e.getMessage(), "invalid_request_error", "invalid_request_error"));
      return;
    }
    Fault fault;
    try {
      fault = config.script().decide(request, number);
    } catch (RuntimeException e) {
      e.printStackTrace();
      reply.rejectAfter(Duration.ZERO, 500, ErrorBodies.of("test script failed: " + e, "server_error", "server_error"));
      return;
    }
    reply.answerAfter(config.fixedDelay(), request, fault == null ? Fault.NONE : fault);
  }

  private boolean authorized(HttpExchange exchange) {
    if (config.apiKey() == null) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    return header != null
        && header.regionMatches(true, 0, "Bearer ", 0, 7)
        && header.substring(7).strip().equals(config.apiKey());
  }

  private static String models() {
    ObjectNode root = JSON.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : MODELS) {
      data.addObject().put("id", id).put("object", "model").put("owned_by", "deepseek");
    }
    return root.toString();
  }

  private static void respond(HttpExchange exchange, int code, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
      // A test that forgets close() must not keep its JVM alive.
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * {@code --port N --delay-ms D [--cache simple|deepseek --cache-build-ms B --cache-expiry-s E
   * --cache-capacity-tokens C]}: serves until killed, answering every chat request after D ms with
   * the default answer, for benchmarks whose client runs in another JVM. {@code --cache deepseek}
   * counts real DeepSeek tokens and emulates its context cache ({@link CacheModel#deepSeek}; build
   * 1000 ms and expiry 3600 s unless given; no capacity limit unless given).
   */
  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    long delayMs = 0;
    String cache = "simple";
    long buildMs = 1_000;
    long expirySeconds = 3_600;
    long capacityTokens = CacheModel.DeepSeek.UNLIMITED;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--delay-ms" -> delayMs = Long.parseLong(args[++i]);
          case "--cache" -> cache = args[++i];
          case "--cache-build-ms" -> buildMs = Long.parseLong(args[++i]);
          case "--cache-expiry-s" -> expirySeconds = Long.parseLong(args[++i]);
          case "--cache-capacity-tokens" -> capacityTokens = Long.parseLong(args[++i]);
          default -> throw new IllegalArgumentException("unknown flag " + args[i]);
        }
      }
      if (!cache.equals("simple") && !cache.equals("deepseek")) {
        throw new IllegalArgumentException("--cache must be simple or deepseek: " + cache);
      }
    } catch (RuntimeException e) {
      System.err.println(
          e.getMessage()
              + "\nusage: ChatCompletionsServer [--port N] [--delay-ms D] [--cache simple|deepseek]"
              + " [--cache-build-ms B] [--cache-expiry-s E] [--cache-capacity-tokens C]");
      System.exit(2);
      return;
    }
    CacheModel model =
        cache.equals("deepseek")
            ? CacheModel.deepSeek(Duration.ofMillis(buildMs), Duration.ofSeconds(expirySeconds))
                .withCapacityTokens(capacityTokens)
            : CacheModel.simple();
    ChatCompletionsServer server =
        start(
            ServerConfig.defaults()
                .withPort(port)
                .withFixedDelay(Duration.ofMillis(delayMs))
                .withCacheModel(model));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("listening on " + server.baseUri());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
