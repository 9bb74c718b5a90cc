package dev.flashline.engine;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.backend.engine.NativeBackendTest;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LoadedModel#verify}: what a job checks before it starts any worker. */
class LoadedModelTest {
  @TempDir Path temp;

  @Test
  void aDecoderWithItsTokenizerVerifies() throws Exception {
    Path dir = NativeBackendTest.model(temp.resolve("tiny-llama"), 129_280);
    assertThatCode(() -> LoadedModel.verify(dir)).doesNotThrowAnyException();
  }

  @Test
  void anEncoderIsRefusedByName() throws Exception {
    Path dir = temp.resolve("tiny-bert");
    RandomCheckpoint.bert(1, 64, 4, 128, 100, 16, Dtype.F32, 4, 1).write(dir);
    assertThatThrownBy(() -> LoadedModel.verify(dir)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("is an encoder");
  }

  @Test
  void aMissingTokenizerIsRefusedNamingTheFile() throws Exception {
    Path dir = NativeBackendTest.model(temp.resolve("no-tokenizer"), 129_280);
    Files.delete(dir.resolve("tokenizer.json"));
    assertThatThrownBy(() -> LoadedModel.verify(dir)).isInstanceOf(CheckpointException.class).hasMessageContaining("no tokenizer.json");
  }

  @Test
  void anImpossibleShapeInConfigIsRefusedNamingConfigJson() throws Exception {
    Path dir = NativeBackendTest.model(temp.resolve("bad-heads"), 129_280);
    Path config = dir.resolve("config.json");
    // 4 attention heads over 3 KV heads cannot be grouped.
    Files.writeString(config, Files.readString(config).replaceFirst("\"num_key_value_heads\"\\s*:\\s*\\d+", "\"num_key_value_heads\": 3"));
    assertThatThrownBy(() -> LoadedModel.verify(dir)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining(config.toString()).hasMessageContaining("is not a multiple of num_key_value_heads 3");
  }
}
