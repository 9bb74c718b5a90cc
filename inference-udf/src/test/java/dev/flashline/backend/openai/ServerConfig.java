package dev.flashline.backend.openai;

import java.time.Duration;

/**
 * How a {@link ChatCompletionsServer} behaves.
 *
 * @param apiKey null accepts any request; otherwise {@code Authorization: Bearer <apiKey>} is
 *     required, as DeepSeek requires it, and anything else gets 401
 * @param fixedDelay before every chat response starts, faults included (their own timing follows)
 * @param port 0 for an ephemeral port, which tests should use
 * @param cacheModel how tokens and context-cache hits are counted; {@link CacheModel#simple()}
 *     unless a test needs real DeepSeek numbers
 */
public record ServerConfig(
    Answerer answerer,
    Script script,
    UsageStyle usageStyle,
    String apiKey,
    Duration fixedDelay,
    int port,
    CacheModel cacheModel) {

  public ServerConfig {
    if (answerer == null || script == null || usageStyle == null || fixedDelay == null || cacheModel == null) {
      throw new IllegalArgumentException(
          "answerer, script, usageStyle, fixedDelay and cacheModel are required");
    }
    if (fixedDelay.isNegative()) {
      throw new IllegalArgumentException("fixedDelay must be >= 0: " + fixedDelay);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  public static ServerConfig defaults() {
    return new ServerConfig(
        Answerer.defaultAnswerer(), Script.none(), UsageStyle.DEEPSEEK, null, Duration.ZERO, 0, CacheModel.simple());
  }

  public ServerConfig withAnswerer(Answerer answerer) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withScript(Script script) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withUsageStyle(UsageStyle usageStyle) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withApiKey(String apiKey) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withFixedDelay(Duration fixedDelay) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withPort(int port) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }

  public ServerConfig withCacheModel(CacheModel cacheModel) {
    return new ServerConfig(answerer, script, usageStyle, apiKey, fixedDelay, port, cacheModel);
  }
}
