package dev.flashline.engine;

import dev.flashline.cost.ExactTokenizer;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.models.DecoderConfig;
import dev.flashline.engine.models.LlamaModel;
import dev.flashline.task.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A decoder checkpoint loaded once and kept resident: its weights, its tokenizer, its family's
 * chat format, and an {@link LlmEngine} running on its own thread ({@link EngineWorker}). The
 * server and the native backend both ask through it; any thread may submit.
 */
public final class LoadedModel implements AutoCloseable {
  private final String name;
  private final Checkpoint checkpoint;
  private final ExactTokenizer tokenizer;
  private final ChatTemplate template;
  private final DecoderConfig config;
  private final EngineWorker worker;
  private final Set<Integer> stopTokenIds;
  /** Tokenizing holds the read lock, closing the write lock: the tokenizer's native memory is never freed under a call. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock life = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed; // guarded by life

  private LoadedModel(
      String name, Checkpoint checkpoint, ExactTokenizer tokenizer, ChatTemplate template, DecoderConfig config,
      EngineWorker worker, Set<Integer> stopTokenIds) {
    this.name = name;
    this.checkpoint = checkpoint;
    this.tokenizer = tokenizer;
    this.template = template;
    this.config = config;
    this.worker = worker;
    this.stopTokenIds = stopTokenIds;
  }

  /**
   * Loads {@code dir} (config.json, weights, tokenizer.json) and starts its engine.
   *
   * @param kvBlocks KV blocks of {@code blockSize} tokens for all sequences in flight together
   * @throws CheckpointException naming the file or tensor when the checkpoint cannot be used
   */
  public static LoadedModel open(Path dir, int kvBlocks, int blockSize, int maxSeqs, int maxBatchTokens) {
    Checkpoint checkpoint = Checkpoint.open(dir);
    ExactTokenizer tokenizer = null;
    try {
      requireDecoder(checkpoint, dir);
      tokenizer = openTokenizer(dir);
      DecoderConfig config = DecoderConfig.of(checkpoint.config());
      ChatTemplate template = ChatTemplate.forModelType(checkpoint.config().modelType());
      Set<Integer> stops = new LinkedHashSet<>();
      for (String marker : template.stopMarkers()) {
        int[] ids = tokenizer.encode(marker);
        // A marker the tokenizer splits into pieces is not a token of this model's vocabulary.
        if (ids.length == 1 && ids[0] < config.vocab()) {
          stops.add(ids[0]);
        }
      }
      LlmEngine engine = new LlmEngine(new LlamaModel(config, checkpoint), kvBlocks, blockSize, maxSeqs, maxBatchTokens, -1);
      String name = dir.toAbsolutePath().normalize().getFileName().toString();
      return new LoadedModel(name, checkpoint, tokenizer, template, config, new EngineWorker(engine), Set.copyOf(stops));
    } catch (RuntimeException e) {
      if (tokenizer != null) {
        tokenizer.close();
      }
      checkpoint.close();
      throw e;
    }
  }

  /**
   * Checks, without loading the weights (they are only mapped) or starting an engine, that
   * {@link #open} would accept the checkpoint: a supported decoder's config.json, weights whose
   * headers, shapes and sizes hold, a chat format for its family, and a tokenizer. Quick even for a
   * large model, so a job can refuse a bad checkpoint before any worker starts.
   *
   * @throws CheckpointException naming the file or tensor that is wrong
   */
  public static void verify(Path dir) {
    try (Checkpoint checkpoint = Checkpoint.open(dir)) {
      requireDecoder(checkpoint, dir);
      try {
        DecoderConfig.of(checkpoint.config());
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(dir.resolve("config.json") + ": " + e.getMessage(), e);
      }
      ChatTemplate.forModelType(checkpoint.config().modelType());
      openTokenizer(dir).close();
    }
  }

  private static void requireDecoder(Checkpoint checkpoint, Path dir) {
    if (checkpoint.config().isEncoder()) {
      throw new CheckpointException(dir + ": " + checkpoint.config().architecture() + " is an encoder; the engine runs decoders");
    }
  }

  /**
   * The checkpoint's own tokenizer ({@code tokenizer.json} beside its weights).
   *
   * @throws CheckpointException when the directory has no usable tokenizer.json
   */
  public static ExactTokenizer openTokenizer(Path modelDir) {
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(modelDir + ": no tokenizer.json; the engine needs the model's tokenizer beside its weights");
    }
    try (InputStream json = Files.newInputStream(file)) {
      return ExactTokenizer.load(json);
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(file + ": cannot load the tokenizer: " + e.getMessage());
    }
  }

  /** The checkpoint directory's name, which requests and rows call the model. */
  public String name() {
    return name;
  }

  public DecoderConfig config() {
    return config;
  }

  public ChatTemplate template() {
    return template;
  }

  /** The end-of-turn tokens of the model's chat format that are single tokens of its vocabulary. */
  public Set<Integer> stopTokenIds() {
    return stopTokenIds;
  }

  /**
   * Token ids of {@code text}, as the model's tokenizer splits it.
   *
   * @throws IllegalArgumentException when the tokenizer yields an id beyond the model's vocabulary
   */
  public int[] encode(String text) {
    int[] ids;
    life.readLock().lock();
    try {
      requireOpen();
      ids = tokenizer.encode(text);
    } finally {
      life.readLock().unlock();
    }
    for (int id : ids) {
      if (id >= config.vocab()) {
        throw new IllegalArgumentException("token id " + id + " is outside the model's vocabulary of " + config.vocab());
      }
    }
    return ids;
  }

  /** The conversation rendered in the model's chat format, up to the open assistant turn, as ids. */
  public int[] encodeChat(List<ChatMessage> messages) {
    return encode(template.render(messages));
  }

  public String decode(int[] ids) {
    life.readLock().lock();
    try {
      requireOpen();
      return tokenizer.decode(ids);
    } finally {
      life.readLock().unlock();
    }
  }

  /** What a finished sequence answered: its generated text, without the end-of-turn token that stopped it. */
  public String answerText(Sequence done) {
    int[] ids = done.generatedTokenIds();
    if (ids.length > 0 && stopTokenIds.contains(ids[ids.length - 1])) {
      ids = java.util.Arrays.copyOf(ids, ids.length - 1);
    }
    return decode(ids);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("model " + name + " is closed");
    }
  }

  /** Generates from a prompt; the future completes when the sequence finishes. */
  public CompletableFuture<Sequence> generate(int[] prompt, SamplingParams params) {
    return worker.submit(prompt, params);
  }

  /**
   * Scores the last {@code scoredTokens} tokens of a prompt (their log-probabilities given what
   * precedes them) without generating: the prompt's prefill is the whole work.
   */
  public CompletableFuture<Sequence> score(int[] prompt, int scoredTokens) {
    return worker.submit(prompt, SamplingParams.greedy(1), scoredTokens);
  }

  @Override
  public void close() {
    life.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // The engine thread stops (and fails what is pending) before the weights it reads are unmapped.
      worker.close();
      tokenizer.close();
      checkpoint.close();
    } finally {
      life.writeLock().unlock();
    }
  }
}
