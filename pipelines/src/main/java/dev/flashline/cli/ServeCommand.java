package dev.flashline.cli;

import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.serve.ChatServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flashline serve}: the native engine behind an OpenAI-compatible chat-completions API, so
 * the {@code openai} backend (or anything else) can call a model this process holds. Runs until
 * Ctrl-C.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve a checkpoint (config.json + safetensors + tokenizer.json) over the OpenAI chat-completions API.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory (Hugging Face layout; bf16, fp16, fp32 or FP8 weights).")
  Path model;

  @Option(names = "--port", defaultValue = "8000", paramLabel = "P", description = "Port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--kv-blocks", defaultValue = "4096", paramLabel = "N", description = "KV-cache blocks for all requests together. Default: ${DEFAULT-VALUE}.")
  int kvBlocks;

  @Option(names = "--block-size", defaultValue = "16", paramLabel = "TOKENS", description = "Tokens per KV-cache block (the unit of prefix reuse). Default: ${DEFAULT-VALUE}.")
  int blockSize;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535 || kvBlocks < 1 || blockSize < 1) {
      err.println("flashline: --port must be 0-65535, --kv-blocks and --block-size at least 1");
      return Flashline.USAGE;
    }
    ChatServer server;
    try {
      server = ChatServer.start(model, port, kvBlocks, blockSize);
    } catch (CheckpointException | IllegalArgumentException e) {
      err.println("flashline: " + e.getMessage());
      return Flashline.USAGE;
    } catch (IOException e) {
      err.println("flashline: cannot listen on port " + port + ": " + e.getMessage());
      return Flashline.USAGE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "flashline-serve-stop"));
    err.printf("flashline: serving '%s' on http://127.0.0.1:%d/v1 (chat/completions, models); Ctrl-C stops%n", server.model(), server.port());
    err.flush();
    stopped.await();
    return 0;
  }
}
