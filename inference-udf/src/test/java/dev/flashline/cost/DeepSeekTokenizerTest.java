package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.task.ChatMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeepSeekTokenizerTest {
  private static final DeepSeekTokenizer TOKENIZER = DeepSeekTokenizer.instance();
  private static final String SENTENCE = "The quick brown fox jumps over the lazy dog.";

  @Test
  void countsAShortEnglishSentenceAsABpeTokenizerWould() {
    // One token per common word, the space folded into the word, the period on its own: 10.
    assertThat(TOKENIZER.count(SENTENCE)).isEqualTo(10);
    assertThat(TOKENIZER.count("")).isZero();
    // Stable: the same text always gives the same ids.
    assertThat(TOKENIZER.ids(SENTENCE)).containsExactly(TOKENIZER.ids(SENTENCE));
  }

  @Test
  void countsTextThatIsNotEnglishOrWords() {
    // Digits split in groups of at most three (the tokenizer's first pre-tokenizer).
    assertThat(TOKENIZER.count("1234567")).isEqualTo(3);
    assertThat(TOKENIZER.count("你好，世界")).isBetween(2, 5);
    assertThat(TOKENIZER.count("Prix: 12,50 € TTC")).isBetween(6, 12);
  }

  @Test
  void markersAreOneTokenEachAndRecognisedInsideText() {
    for (String marker :
        List.of(DeepSeekTokenizer.BOS, DeepSeekTokenizer.EOS, DeepSeekTokenizer.USER, DeepSeekTokenizer.ASSISTANT)) {
      assertThat(TOKENIZER.count(marker)).as(marker).isEqualTo(1);
    }
    assertThat(TOKENIZER.ids(DeepSeekTokenizer.BOS)).containsExactly(0);
    assertThat(TOKENIZER.ids(DeepSeekTokenizer.EOS)).containsExactly(1);
    // Inside a string a marker still splits the text: the pieces' ids, joined.
    int[] joined =
        concat(TOKENIZER.ids("Hello"), TOKENIZER.ids(DeepSeekTokenizer.USER), TOKENIZER.ids(" world"));
    assertThat(TOKENIZER.ids("Hello" + DeepSeekTokenizer.USER + " world")).containsExactly(joined);
  }

  @Test
  void rendersTheChatTemplate() {
    List<ChatMessage> messages = List.of(ChatMessage.system("Label the text."), ChatMessage.user(SENTENCE));
    String rendered =
        DeepSeekTokenizer.BOS + "Label the text." + DeepSeekTokenizer.USER + SENTENCE + DeepSeekTokenizer.ASSISTANT;
    RenderedPrompt prompt = TOKENIZER.render(messages);

    assertThat(prompt.ids()).containsExactly(TOKENIZER.ids(rendered));
    assertThat(TOKENIZER.promptIds(messages)).containsExactly(prompt.ids());
    // BOS + system + User + sentence + Assistant: the markers cost one token each.
    int expected = 1 + TOKENIZER.count("Label the text.") + 1 + TOKENIZER.count(SENTENCE) + 1;
    assertThat(TOKENIZER.promptTokens(messages)).isEqualTo(expected);
    assertThat(prompt.userInputEnds()).containsExactly(expected - 1);
    assertThat(prompt.ids()[0]).isZero();
  }

  @Test
  void rendersAConversationWithEveryUserMessageEnd() {
    List<ChatMessage> messages =
        List.of(
            ChatMessage.user("Label: spam or ham?"),
            ChatMessage.assistant("{\"label\":\"spam\"}"),
            ChatMessage.system("Answer in JSON."),
            ChatMessage.user("Not valid. Try again."));
    String rendered =
        DeepSeekTokenizer.BOS
            + "Answer in JSON."
            + DeepSeekTokenizer.USER
            + "Label: spam or ham?"
            + DeepSeekTokenizer.ASSISTANT
            + "{\"label\":\"spam\"}"
            + DeepSeekTokenizer.EOS
            + DeepSeekTokenizer.USER
            + "Not valid. Try again."
            + DeepSeekTokenizer.ASSISTANT;
    RenderedPrompt prompt = TOKENIZER.render(messages);

    assertThat(prompt.ids()).containsExactly(TOKENIZER.ids(rendered));
    int firstEnd = 1 + TOKENIZER.count("Answer in JSON.") + 1 + TOKENIZER.count("Label: spam or ham?");
    assertThat(prompt.userInputEnds()).containsExactly(firstEnd, prompt.length() - 1);
  }

  @Test
  void twoSystemMessagesAreJoinedByABlankLine() {
    List<ChatMessage> messages = List.of(ChatMessage.system("A."), ChatMessage.system("B."), ChatMessage.user("x"));
    String rendered = DeepSeekTokenizer.BOS + "A.\n\nB." + DeepSeekTokenizer.USER + "x" + DeepSeekTokenizer.ASSISTANT;
    assertThat(TOKENIZER.promptIds(messages)).containsExactly(TOKENIZER.ids(rendered));
  }

  @Test
  void aPrimerIsAPrefixOfEveryRequestWithItsSystemPrompt() {
    String system = "You label customer tickets as billing, bug or other.";
    int[] primer = TOKENIZER.promptIds(List.of(ChatMessage.system(system), ChatMessage.user("")));
    RenderedPrompt primerPrompt = TOKENIZER.render(List.of(ChatMessage.system(system), ChatMessage.user("")));
    int[] request = TOKENIZER.promptIds(List.of(ChatMessage.system(system), ChatMessage.user("My card was charged twice.")));

    // The primer's user input ends right after <｜User｜>: BOS + system + User.
    int unit = primerPrompt.userInputEnds()[0];
    assertThat(unit).isEqualTo(1 + TOKENIZER.count(system) + 1);
    assertThat(primer).hasSize(unit + 1);
    assertThat(Arrays.copyOf(request, unit)).containsExactly(Arrays.copyOf(primer, unit));
  }

  @Test
  void aLongTextIsTokenizedWholeNotCutAt512() {
    String text = (SENTENCE + " ").repeat(2_300); // ~103k characters
    int tokens = TOKENIZER.count(text);
    // Ten tokens per sentence; the leading space of each repeat folds into "The".
    assertThat(tokens).isBetween(22_000, 24_000);
  }

  @Test
  void isSafeToShareBetweenThreads() throws Exception {
    List<String> texts = IntStream.range(0, 64).mapToObj(i -> SENTENCE.repeat(i % 7 + 1) + " #" + i).toList();
    List<int[]> expected = texts.stream().map(TOKENIZER::ids).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < texts.size(); i++) {
          int index = i;
          results.add(pool.submit(() -> Arrays.equals(TOKENIZER.ids(texts.get(index)), expected.get(index))));
        }
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }
}
