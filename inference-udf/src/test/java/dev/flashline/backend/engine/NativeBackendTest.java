package dev.flashline.backend.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.cost.ComputeCost;
import dev.flashline.engine.LabelScorer;
import dev.flashline.engine.LoadedModel;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import dev.flashline.task.NativeSpec;
import dev.flashline.task.PromptLayout;
import dev.flashline.task.SummaryBudget;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native backend on a random model written in the real on-disk format, with a real tokenizer
 * beside it: rows, token accounting, cost attribution, sharing, and failures that name the record.
 */
public class NativeBackendTest {
  @TempDir Path temp;

  /** A small Llama whose vocabulary covers the DeepSeek tokenizer beside it (or not, to test that). */
  public static Path model(Path dir, int vocab) throws Exception {
    RandomCheckpoint.llama(2, 64, 4, 2, 128, vocab, Dtype.BF16, 7, 1).write(dir);
    try (InputStream tokenizer = NativeBackendTest.class.getResourceAsStream("/dev/flashline/tokenizer/deepseek-v3/tokenizer.json")) {
      Files.copy(tokenizer, dir.resolve("tokenizer.json"));
    }
    return dir;
  }

  private static JobSpec job(Path model, String task) throws Exception {
    String body = task.equals("classify")
        ? """
          task: classify
          labels:
            - {name: spam, description: unsolicited commercial or fraudulent text}
            - {name: ham, description: an ordinary message between people who know each other}
          """
        : """
          task: summarise
          summary: {max_words: 12, max_sentences: 1}
          """;
    return JobSpecLoader.parse("name: t\nbackend: native\nnative: {model: '" + model + "', kv_blocks: 512, block_size: 16}\n" + body, "test");
  }

  private static Document doc(String id, String text) {
    return Document.newBuilder().setId(id).setText(text).build();
  }

  private static final List<String> TEXTS = List.of(
      "WINNER!! You have been selected to receive a $900 prize reward. Call now to claim.",
      "Are we still on for dinner tonight? I can bring the salad.",
      "Free entry in 2 a wkly comp to win FA Cup final tkts. Text FA to 87121.",
      "Sorry I missed your call, I'll ring you back after the meeting.",
      "URGENT! Your mobile number has been awarded a bonus caller prize.",
      "Can you pick up some milk on the way home?");

  @Test
  void classifiesEveryRecordWithTheScoresOfAColdRunAndBillsOnlyWhatItComputed() throws Exception {
    Path dir = model(temp.resolve("tiny-llama"), 129_280);
    JobSpec job = job(dir, "classify");
    List<LabelledRecord> rows = new ArrayList<>();
    try (NativeBackend backend = NativeBackend.open(job)) {
      List<CompletableFuture<LabelledRecord>> pending = new ArrayList<>();
      for (int i = 0; i < TEXTS.size(); i++) {
        pending.add(backend.answer(doc("r" + i, TEXTS.get(i)), null));
      }
      pending.forEach(f -> rows.add(f.join()));
    }
    assertThat(SharedModels.openModels()).isZero();

    // A fresh engine that scores each record alone, nothing in its cache but that record's labels.
    try (LoadedModel cold = LoadedModel.open(dir, 512, 16, 64, 4096)) {
      PromptLayout layout = PromptLayout.of(job);
      List<int[]> labels = List.of(cold.encode("spam\""), cold.encode("ham\""));
      long sharedBlocks = -1;
      for (int i = 0; i < TEXTS.size(); i++) {
        LabelledRecord row = rows.get(i);
        assertThat(row.getStatus()).isEqualTo(Status.ok);
        assertThat(row.getBackend()).isEqualTo("native");
        assertThat(row.getModel()).isEqualTo("tiny-llama");
        int[] prompt = cold.encode(cold.template().render(layout.messages(TEXTS.get(i))) + NativeBackend.ANSWER_OPENING);
        LabelScorer.Scores alone = LabelScorer.score(cold::score, prompt, labels).join();
        // Batched with other records and served from the prefix cache, the answer is the same.
        assertThat(row.getLabel()).isEqualTo(job.labelNames().get(alone.best()));
        assertThat(row.getConfidence()).isEqualTo(alone.probabilities()[alone.best()]);
        // Every token of both label sequences is either computed or reused, never both.
        assertThat(row.getCacheHitTokens() + row.getCacheMissTokens()).isEqualTo(2L * prompt.length + labels.get(0).length + labels.get(1).length);
        assertThat(row.getInputTokens()).isEqualTo(row.getCacheHitTokens() + row.getCacheMissTokens());
        assertThat(row.getComputeSeconds()).isPositive();
        assertThat(row.getCostUsd()).isCloseTo(ComputeCost.usd(row.getComputeSeconds(), job.compute()), Offset.offset(1e-15));
        assertThat(row.getCharges()).hasSize(1);
        assertThat(row.getCharges().get(0).getCacheHitTokens()).isEqualTo(row.getCacheHitTokens());
        if (sharedBlocks < 0) {
          int common = 0;
          int[] other = cold.encode(cold.template().render(layout.messages(TEXTS.get((i + 1) % TEXTS.size()))));
          while (common < Math.min(prompt.length, other.length) && prompt[common] == other[common]) {
            common++;
          }
          sharedBlocks = common / 16;
        }
      }
      // The system prompt is computed once for the whole job: apart from the first label sequence
      // that met it, every sequence finds its whole blocks in the cache.
      long reused = rows.stream().mapToLong(LabelledRecord::getCacheHitTokens).sum();
      assertThat(sharedBlocks).isPositive();
      assertThat(reused).isGreaterThanOrEqualTo((2L * TEXTS.size() - 1) * sharedBlocks * 16);
    }
  }

  @Test
  void summariesStayWithinTheBudgetAndCountTheirDecodeSteps() throws Exception {
    JobSpec job = job(model(temp.resolve("tiny-llama"), 129_280), "summarise");
    try (NativeBackend backend = NativeBackend.open(job)) {
      LabelledRecord row = backend.answer(doc("s1", TEXTS.get(1)), null).join();
      assertThat(row.getStatus()).isEqualTo(Status.ok);
      // A summary cut inside its first sentence ends with the " …" marker, which is not a word.
      assertThat(SummaryBudget.words(row.getSummary().replace(" …", ""))).isPositive().isLessThanOrEqualTo(12);
      assertThat(row.getOutputTokens()).isPositive().isLessThanOrEqualTo(PromptLayout.of(job).defaultMaxOutputTokens());
      assertThat(row.getCacheMissTokens()).isPositive();
      assertThat(row.getCostUsd()).isPositive();
    }
  }

  @Test
  void oneModelIsLoadedPerJvmAndFreedWithItsLastLease() throws Exception {
    JobSpec job = job(model(temp.resolve("tiny-llama"), 129_280), "classify");
    int before = SharedModels.loads();
    List<NativeBackend> backends = IntStream.range(0, 4).mapToObj(i -> NativeBackend.open(job)).toList();
    assertThat(SharedModels.loads()).isEqualTo(before + 1);
    assertThat(SharedModels.openModels()).isEqualTo(1);
    backends.forEach(NativeBackend::close);
    backends.get(0).close(); // a second close is ignored
    assertThat(SharedModels.openModels()).isZero();
  }

  @Test
  void aRecordLongerThanTheWholeKvCacheFailsAloneNamingWhy() throws Exception {
    Path dir = model(temp.resolve("tiny-llama"), 129_280);
    JobSpec job = job(dir, "classify").withNative(new NativeSpec(dir.toString(), 24, 16, null, null)); // 384 tokens in all
    try (NativeBackend backend = NativeBackend.open(job)) {
      CompletableFuture<LabelledRecord> tooLong = backend.answer(doc("long", "word ".repeat(2000)), null);
      CompletableFuture<LabelledRecord> fine = backend.answer(doc("short", TEXTS.get(0)), null);
      assertThatThrownBy(tooLong::join).rootCause().hasMessageContaining("KV blocks");
      assertThat(fine.join().getStatus()).isEqualTo(Status.ok);
    }
  }

  @Test
  void aLabelTheModelCannotReadIsRefusedAtOpen() throws Exception {
    // A vocabulary smaller than the tokenizer's: the labels map to ids the model does not have.
    JobSpec job = job(model(temp.resolve("small-vocab"), 1_000), "classify");
    assertThatThrownBy(() -> NativeBackend.open(job))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 'spam'")
        .hasMessageContaining("outside the model's vocabulary of 1000");
    assertThat(SharedModels.openModels()).isZero();
  }

  @Test
  void aMissingOrBrokenCheckpointFailsAtOpenNamingTheFile() throws Exception {
    Path dir = model(temp.resolve("tiny-llama"), 129_280);
    Files.delete(dir.resolve("tokenizer.json"));
    JobSpec job = job(dir, "classify");
    assertThatThrownBy(() -> NativeBackend.open(job)).isInstanceOf(CheckpointException.class).hasMessageContaining("tokenizer.json");
    assertThat(SharedModels.openModels()).isZero();
    assertThatThrownBy(() -> JobSpecLoader.parse("name: t\ntask: classify\nbackend: native\nlabels: [{name: a}, {name: b}]\n", "spec.yaml"))
        .hasMessageContaining("native.model");
  }
}
