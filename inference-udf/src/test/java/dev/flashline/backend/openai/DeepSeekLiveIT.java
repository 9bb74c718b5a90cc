package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flashline.cost.PriceSchedule;
import dev.flashline.schema.Charge;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import dev.flashline.task.BackendKind;
import dev.flashline.task.Example;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Against the real DeepSeek API; runs only when {@code DEEPSEEK_API_KEY} is set (it spends a few cents at most). */
class DeepSeekLiveIT {
  @Test
  void flashLabelsAndReportsUsageThatPricesExactly() throws Exception {
    assumeTrue(System.getenv("DEEPSEEK_API_KEY") != null && !System.getenv("DEEPSEEK_API_KEY").isBlank(), "DEEPSEEK_API_KEY is not set");
    JobSpec job =
        new JobSpec("live", TaskType.classify, null, null, null,
                List.of(new LabelSpec("spam", "Unsolicited commercial or fraudulent message."), new LabelSpec("ham", "An ordinary personal message.")),
                List.of(new Example("WINNER! Claim your free prize now, call 09061701461", "spam"), new Example("Are we still on for dinner tonight?", "ham")),
                null, null, null, BackendKind.openai, null, null)
            .withOpenAi(dev.flashline.task.OpenAiSpec.defaults().withMaxInFlight(4).withRequestTimeoutSeconds(120.0));
    PriceSchedule prices = PriceSchedule.defaults();
    try (ChatClients.Lease lease = ChatClients.acquire(job.openai(), 4)) {
      OpenAiBackend backend = new OpenAiBackend(job, prices, lease.client());
      List<CompletableFuture<LabelledRecord>> rows = new ArrayList<>();
      String[] texts = {"URGENT! You have won a 1 week FREE membership, text CLAIM to 81010", "I'll be late, start without me", "Ok see you at 5"};
      for (int i = 0; i < texts.length; i++) {
        rows.add(backend.answer(Document.newBuilder().setId("live-" + i).setText(texts[i]).build(), null));
      }
      for (CompletableFuture<LabelledRecord> future : rows) {
        LabelledRecord row = future.get(5, TimeUnit.MINUTES);
        assertThat(row.getStatus()).as(String.valueOf(row.getError())).isEqualTo(Status.ok);
        assertThat(row.getLabel()).isIn("spam", "ham");
        assertThat(row.getCacheHitTokens() + row.getCacheMissTokens()).isPositive();
        assertThat(row.getOutputTokens()).isPositive();
        double expected = 0;
        for (Charge charge : row.getCharges()) {
          assertThat(charge.getPriceSchedule()).startsWith("deepseek-v4");
          expected +=
              (charge.getCacheHitTokens() * charge.getUsdPerMillionCacheHit()
                      + charge.getCacheMissTokens() * charge.getUsdPerMillionCacheMiss()
                      + charge.getOutputTokens() * charge.getUsdPerMillionOutput())
                  / 1e6;
        }
        assertThat(row.getCostUsd()).isPositive().isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
      }
    }
    assertThat(ChatClients.open()).isZero();
  }
}
