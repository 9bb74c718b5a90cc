package dev.flashline.cli;

import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.quant.CheckpointConverter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flashline quantize}: a bf16/fp16/fp32 checkpoint into the FP8 format DeepSeek-V3 and
 * Qwen3-FP8 publish (E4M3 weights with 128x128 block scales), which the native backend and
 * {@code serve} load at one byte per weight.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
      "Quantise a checkpoint's linear layers to FP8 E4M3 with 128x128 block scales (weight_scale_inv), as DeepSeek-V3"
          + " and Qwen3-FP8 store them. Embeddings, norms and lm_head keep their precision; tokenizer and other files"
          + " are copied."
    })
final class QuantizeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint to quantise (config.json + safetensors, bf16/fp16/fp32).")
  Path model;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the FP8 checkpoint goes; must not exist yet or be empty.")
  Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (Files.exists(output) && (!Files.isDirectory(output) || hasEntries(output))) {
      err.println("flashline: --output " + output + " already exists and is not an empty directory; nothing was written");
      return Flashline.USAGE;
    }
    long started = System.nanoTime();
    try {
      CheckpointConverter.convert(model, output);
    } catch (CheckpointException | IllegalArgumentException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    } catch (UncheckedIOException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.FAILED;
    }
    err.printf("flashline: wrote the FP8 checkpoint %s (%.1f MiB, was %.1f MiB) in %.1f s%n",
        output, mib(output), mib(model), (System.nanoTime() - started) / 1e9);
    return 0;
  }

  private static boolean hasEntries(Path dir) throws java.io.IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    }
  }

  private static double mib(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".safetensors")).mapToLong(f -> f.toFile().length()).sum() / 1048576.0;
    }
  }
}
