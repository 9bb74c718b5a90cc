package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.backend.engine.NativeBackend;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
  @TempDir Path temp;

  private final StringWriter err = new StringWriter();

  private int quantize(Path model, Path output) {
    return Flashline.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "quantize", "--model", model.toString(), "--output", output.toString());
  }

  private Path bf16Model() throws Exception {
    Path dir = temp.resolve("tiny-llama");
    RandomCheckpoint.llama(2, 128, 4, 2, 256, 129_280, Dtype.BF16, 5, 2).write(dir);
    try (InputStream tokenizer = getClass().getResourceAsStream("/dev/flashline/tokenizer/deepseek-v3/tokenizer.json")) {
      Files.copy(tokenizer, dir.resolve("tokenizer.json"));
    }
    return dir;
  }

  private static LabelledRecord classify(Path model, String text) throws Exception {
    JobSpec job = JobSpecLoader.parse("""
        name: t
        task: classify
        backend: native
        native: {model: '%s', kv_blocks: 256}
        labels: [{name: spam, description: unsolicited offers}, {name: ham, description: ordinary messages}]
        """.formatted(model), "test");
    try (NativeBackend backend = NativeBackend.open(job)) {
      return backend.answer(Document.newBuilder().setId("d").setText(text).build(), null).join();
    }
  }

  @Test
  void theQuantisedCheckpointHasFp8LinearLayersAndAnswersLikeTheOriginal() throws Exception {
    Path bf16 = bf16Model();
    Path fp8 = temp.resolve("tiny-llama-fp8");

    assertThat(quantize(bf16, fp8)).as(err.toString()).isZero();
    assertThat(err.toString()).contains("wrote the FP8 checkpoint");
    assertThat(fp8.resolve("tokenizer.json")).exists();
    try (Checkpoint checkpoint = Checkpoint.open(fp8)) {
      assertThat(checkpoint.config().quantization()).isNotNull();
      assertThat(checkpoint.dtype("model.layers.0.mlp.down_proj.weight")).isEqualTo(Dtype.F8_E4M3);
      assertThat(checkpoint.dtype("model.layers.0.mlp.down_proj.weight" + Checkpoint.SCALE_SUFFIX)).isEqualTo(Dtype.F32);
      assertThat(checkpoint.dtype("model.embed_tokens.weight")).isEqualTo(Dtype.BF16);
    }
    String text = "WINNER!! Claim your free prize now by texting WIN to 80086";
    LabelledRecord original = classify(bf16, text);
    LabelledRecord quantised = classify(fp8, text);
    assertThat(quantised.getLabel()).isIn("spam", "ham");
    // E4M3 keeps about two significant digits per weight, with a scale per 128x128 block: the
    // label probabilities move by far less than the gap between a confident and an unsure answer.
    double pSpamOriginal = original.getLabel().equals("spam") ? original.getConfidence() : 1 - original.getConfidence();
    double pSpamQuantised = quantised.getLabel().equals("spam") ? quantised.getConfidence() : 1 - quantised.getConfidence();
    assertThat(pSpamQuantised).isCloseTo(pSpamOriginal, Offset.offset(0.02));
  }

  @Test
  void anOutputThatHoldsFilesIsRefusedAndLeftAlone() throws Exception {
    Path out = Files.createDirectories(temp.resolve("busy"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    assertThat(quantize(temp, out)).isEqualTo(Flashline.USAGE);
    assertThat(err.toString()).contains("already exists and is not an empty directory");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
  }

  @Test
  void aDirectoryThatIsNoCheckpointIsAUsageErrorNamingItsConfig() {
    assertThat(quantize(temp, temp.resolve("out"))).isNotZero();
    assertThat(err.toString()).contains("config.json");
  }
}
