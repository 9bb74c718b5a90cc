package dev.flashline.cost;

import dev.flashline.task.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DeepSeek V3's tokenizer (128k BPE, shipped in this jar under {@code
 * dev/flashline/tokenizer/deepseek-v3/}) and its chat template, so prompt sizes can be counted
 * offline exactly as the API bills them.
 *
 * <p>The chat template (from {@code tokenizer_config.json}) renders {@code
 * <｜begin▁of▁sentence｜>} + every system message's content (joined by a blank line, wherever the
 * system messages stand) + for each user message {@code <｜User｜>content}, for each assistant
 * message {@code <｜Assistant｜>content<｜end▁of▁sentence｜>}, and the generation prompt {@code
 * <｜Assistant｜>} last. Tool messages follow the template too; other roles render nothing, as
 * there. Each marker is one token.
 *
 * <p>Rendering tokenizes the pieces separately and joins their ids. That equals tokenizing the
 * whole rendered string, because the tokenizer splits markers (added tokens) out before anything
 * else and has no normalizer; separately, it also tells where each user message ends.
 *
 * <p>One instance per JVM, loaded on first use; thread-safe (the native tokenizer is immutable).
 */
public final class DeepSeekTokenizer {
  static final String RESOURCE = "/dev/flashline/tokenizer/deepseek-v3/tokenizer.json";

  public static final String BOS = "<｜begin▁of▁sentence｜>";
  public static final String EOS = "<｜end▁of▁sentence｜>";
  public static final String USER = "<｜User｜>";
  public static final String ASSISTANT = "<｜Assistant｜>";
  private static final String TOOL_OUTPUTS_BEGIN = "<｜tool▁outputs▁begin｜>";
  private static final String TOOL_OUTPUTS_END = "<｜tool▁outputs▁end｜>";
  private static final String TOOL_OUTPUT_BEGIN = "<｜tool▁output▁begin｜>";
  private static final String TOOL_OUTPUT_END = "<｜tool▁output▁end｜>";

  private final ExactTokenizer tokenizer;
  private final int bos;
  private final int eos;
  private final int user;
  private final int assistant;

  private DeepSeekTokenizer(ExactTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.bos = markerId(BOS);
    this.eos = markerId(EOS);
    this.user = markerId(USER);
    this.assistant = markerId(ASSISTANT);
  }

  /** The tokenizer, loaded from this jar on the first call (a few hundred ms). */
  public static DeepSeekTokenizer instance() {
    return Holder.INSTANCE;
  }

  /** Tokens of {@code text} alone: no BOS or other marker added, never truncated. */
  public int count(String text) {
    return encode(text).length;
  }

  /** The token ids of {@code text} alone, as {@link #count} counts them. */
  public int[] ids(String text) {
    return encode(text);
  }

  /** {@code usage.prompt_tokens} for a request of {@code messages}. */
  public int promptTokens(List<ChatMessage> messages) {
    return render(messages).length();
  }

  /** The token ids the model reads for a request of {@code messages}, generation prompt included. */
  public int[] promptIds(List<ChatMessage> messages) {
    return render(messages).ids();
  }

  /** The prompt's ids and where each user message ends in them; see {@link RenderedPrompt}. */
  public RenderedPrompt render(List<ChatMessage> messages) {
    Ids out = new Ids();
    out.add(bos);
    StringBuilder system = new StringBuilder();
    boolean firstSystem = true;
    for (ChatMessage m : messages) {
      if (ChatMessage.SYSTEM.equals(m.role())) {
        system.append(firstSystem ? "" : "\n\n").append(m.content());
        firstSystem = false;
      }
    }
    out.add(encode(system.toString()));
    List<Integer> userEnds = new ArrayList<>();
    boolean inTool = false;
    boolean firstToolOutput = true;
    for (ChatMessage m : messages) {
      switch (m.role()) {
        case ChatMessage.USER -> {
          inTool = false;
          out.add(user);
          out.add(encode(m.content()));
          userEnds.add(out.size());
        }
        case ChatMessage.ASSISTANT -> {
          if (inTool) {
            out.add(encode(TOOL_OUTPUTS_END));
            inTool = false;
          } else {
            out.add(assistant);
          }
          out.add(encode(m.content()));
          out.add(eos);
        }
        case "tool" -> {
          inTool = true;
          out.add(encode(firstToolOutput ? TOOL_OUTPUTS_BEGIN + TOOL_OUTPUT_BEGIN : "\n" + TOOL_OUTPUT_BEGIN));
          out.add(encode(m.content()));
          out.add(encode(TOOL_OUTPUT_END));
          firstToolOutput = false;
        }
        default -> {
          // system is rendered above; the template ignores any other role.
        }
      }
    }
    out.add(inTool ? encode(TOOL_OUTPUTS_END) : new int[] {assistant});
    return new RenderedPrompt(out.toArray(), userEnds.stream().mapToInt(Integer::intValue).toArray());
  }

  private int[] encode(String text) {
    return tokenizer.encode(text);
  }

  /** Fails loudly if a marker is not one added token: every count would be off otherwise. */
  private int markerId(String marker) {
    int[] ids = encode(marker);
    if (ids.length != 1) {
      throw new IllegalStateException(marker + " is not a single token in " + RESOURCE + ": " + ids.length);
    }
    return ids[0];
  }

  private static DeepSeekTokenizer load() {
    try (InputStream json = DeepSeekTokenizer.class.getResourceAsStream(RESOURCE)) {
      if (json == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new DeepSeekTokenizer(ExactTokenizer.load(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the DeepSeek tokenizer from " + RESOURCE, e);
    }
  }

  /** Initialization-on-demand: the JVM loads it once, lazily, without locks on later calls. */
  private static final class Holder {
    static final DeepSeekTokenizer INSTANCE = load();
  }

  /** A growable int array; boxing a million ids would cost more than tokenizing them. */
  private static final class Ids {
    private int[] ids = new int[256];
    private int size;

    void add(int id) {
      grow(1);
      ids[size++] = id;
    }

    void add(int[] more) {
      grow(more.length);
      System.arraycopy(more, 0, ids, size, more.length);
      size += more.length;
    }

    int size() {
      return size;
    }

    int[] toArray() {
      return Arrays.copyOf(ids, size);
    }

    private void grow(int more) {
      if (size + more > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more));
      }
    }
  }
}
