package dev.flashline.bench;

import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.RandomCheckpoint;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a random Llama-shaped checkpoint (bf16) with the DeepSeek V3 tokenizer beside it, so the
 * native backend and {@code serve} can be benchmarked end to end without downloadable weights.
 * Its answers are noise; its speed and cost accounting are those of a real model of that shape.
 *
 * <p>Arguments: output-dir layers hidden
 */
public final class RandomChatModel {
  private RandomChatModel() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int layers = Integer.parseInt(args[1]);
    int hidden = Integer.parseInt(args[2]);
    int heads = Math.max(1, hidden / 64);
    int kvHeads = Math.max(1, heads / 4);
    // The tokenizer's 129,280 ids; SwiGLU width about 8/3 of hidden, as Llama has it.
    RandomCheckpoint.llama(layers, hidden, heads, kvHeads, hidden * 8 / 3, 129_280, true, Dtype.BF16, 1, 1).write(dir);
    try (InputStream tokenizer = RandomChatModel.class.getResourceAsStream("/dev/flashline/tokenizer/deepseek-v3/tokenizer.json")) {
      Files.copy(tokenizer, dir.resolve("tokenizer.json"));
    }
    System.err.printf("wrote %s: %d layers, hidden %d, %d heads over %d KV heads, vocab 129280 (tied)%n", dir, layers, hidden, heads, kvHeads);
  }
}
