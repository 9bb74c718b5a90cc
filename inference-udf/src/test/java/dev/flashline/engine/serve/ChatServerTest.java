package dev.flashline.engine.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.openai.ChatCall;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatReply;
import dev.flashline.cost.TokenUsage;
import dev.flashline.engine.ChatTemplate;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.OpenAiSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random model on disk, with a real tokenizer beside it, served over the OpenAI API and called
 * with the openai backend's own client: the usage it reports, cached prompt tokens included.
 */
class ChatServerTest {
  private static final int BLOCK = 16;

  @TempDir Path temp;

  /** A model whose vocabulary covers the DeepSeek tokenizer's ids, which is the tokenizer beside it. */
  private Path model() throws Exception {
    Path dir = temp.resolve("tiny-llama");
    RandomCheckpoint.llama(2, 64, 4, 2, 128, 129_280, Dtype.BF16, 3, 1).write(dir);
    try (InputStream tokenizer = getClass().getResourceAsStream("/dev/flashline/tokenizer/deepseek-v3/tokenizer.json")) {
      Files.copy(tokenizer, dir.resolve("tokenizer.json"));
    }
    return dir;
  }

  private static final String SYSTEM =
      "You are a careful text classifier. Give each document exactly one label from this list: spam, ham. "
          + "Spam is unsolicited commercial or fraudulent text; ham is an ordinary message between people who know each other. "
          + "Answer with a JSON object and nothing else.";

  @Test
  void aSharedSystemPromptIsServedFromThePrefixCacheAndReportedAsCachedTokens() throws Exception {
    try (ChatServer server = ChatServer.start(model(), 0, 512, BLOCK);
        ChatClients.Lease lease = ChatClients.acquire(
            OpenAiSpec.defaults().withEndpoint("http://127.0.0.1:" + server.port()).withApiKeyEnv("FLASHLINE_TEST_NO_SUCH_VAR")
                .withMaxAttempts(1).withRequestTimeoutSeconds(60.0), 8)) {
      List<ChatMessage> first = List.of(ChatMessage.system(SYSTEM), ChatMessage.user("WINNER! Claim your prize now"));
      ChatReply cold = lease.client().complete(new ChatCall(server.model(), first, false, 4)).get(60, TimeUnit.SECONDS);
      List<ChatMessage> second = List.of(ChatMessage.system(SYSTEM), ChatMessage.user("see you at dinner"));
      ChatReply warm = lease.client().complete(new ChatCall(server.model(), second, false, 4)).get(60, TimeUnit.SECONDS);

      assertThat(cold.ok()).as(String.valueOf(cold.failure())).isTrue();
      assertThat(warm.ok()).as(String.valueOf(warm.failure())).isTrue();
      TokenUsage coldUsage = cold.attempts().get(0).usage();
      TokenUsage warmUsage = warm.attempts().get(0).usage();
      int promptTokens;
      int sharedTokens;
      // The checkpoint says model_type llama, so the server speaks Llama 3's chat format.
      try (var tokenizer = ChatServer.openTokenizer(temp.resolve("tiny-llama"))) {
        int[] a = tokenizer.encode(ChatTemplate.LLAMA3.render(first));
        int[] b = tokenizer.encode(ChatTemplate.LLAMA3.render(second));
        promptTokens = b.length;
        int common = 0;
        while (common < Math.min(a.length, b.length) && a[common] == b[common]) {
          common++;
        }
        sharedTokens = common;
      }
      assertThat(coldUsage.cacheHitTokens()).isZero();
      assertThat(coldUsage.outputTokens()).isEqualTo(4);
      assertThat(warmUsage.promptTokens()).isEqualTo(promptTokens);
      // Whole blocks of the shared system prompt, computed once, served from the cache.
      assertThat(warmUsage.cacheHitTokens()).isEqualTo((long) (sharedTokens / BLOCK) * BLOCK).isPositive();
      assertThat(warmUsage.cacheMissTokens()).isEqualTo(promptTokens - warmUsage.cacheHitTokens());
      assertThat(warm.content()).isNotNull();
    }
    assertThat(ChatClients.open()).isZero();
  }

  @Test
  void concurrentRequestsAllFinishAndAGreedyAnswerDoesNotDependOnItsBatch() throws Exception {
    try (ChatServer server = ChatServer.start(model(), 0, 512, BLOCK);
        ChatClients.Lease lease = ChatClients.acquire(
            OpenAiSpec.defaults().withEndpoint("http://127.0.0.1:" + server.port()).withApiKeyEnv("FLASHLINE_TEST_NO_SUCH_VAR")
                .withMaxAttempts(1).withRequestTimeoutSeconds(60.0), 8)) {
      List<ChatMessage> probe = List.of(ChatMessage.system(SYSTEM), ChatMessage.user("document 3"));
      String alone = lease.client().complete(new ChatCall(server.model(), probe, false, 6)).get(60, TimeUnit.SECONDS).content();

      List<CompletableFuture<ChatReply>> replies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        replies.add(lease.client().complete(new ChatCall(server.model(),
            List.of(ChatMessage.system(SYSTEM), ChatMessage.user("document " + i)), false, 6)));
      }
      for (CompletableFuture<ChatReply> reply : replies) {
        assertThat(reply.get(60, TimeUnit.SECONDS).ok()).isTrue();
      }
      assertThat(replies.get(3).get().content()).isEqualTo(alone);
    }
  }
}
