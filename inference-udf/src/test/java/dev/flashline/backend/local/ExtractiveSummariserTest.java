package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.task.SummarySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExtractiveSummariserTest {
  private static SharedEncoder.Lease lease;
  private static EncoderModel model;

  private static final String ARTICLE =
      """
      The city council approved a new budget for public transport on Monday.
      The plan adds forty electric buses and extends two tram lines to the northern suburbs. \
      Fares will stay the same for the next two years, the mayor said.
      Some councillors argued that the money should go to road repairs instead.
      Construction of the tram extension is expected to start next spring.   Local businesses along the route welcomed the decision.
      The weather was sunny and warm all afternoon.
      """;

  @BeforeAll
  static void load() {
    lease = SharedEncoder.acquire(EncoderModelSpec.E5_SMALL_V2_Q);
    model = lease.model();
  }

  @AfterAll
  static void release() {
    lease.close();
  }

  /** Indices of the summary's sentences in the document, checking each is a verbatim sentence. */
  private static List<Integer> positions(String summary, List<String> sentences) {
    List<Integer> out = new ArrayList<>();
    int from = 0;
    String rest = summary;
    while (!rest.isEmpty()) {
      int found = -1;
      for (int i = from; i < sentences.size(); i++) {
        String sentence = sentences.get(i);
        if (rest.equals(sentence) || rest.startsWith(sentence + " ")) {
          found = i;
          rest = rest.substring(Math.min(rest.length(), sentence.length() + 1));
          break;
        }
      }
      assertThat(found).as("summary '%s' is made of the document's sentences, in order", summary).isNotNegative();
      out.add(found);
      from = found + 1;
    }
    return out;
  }

  @Test
  void respectsTheWordAndSentenceBudgetAndKeepsOrder() {
    List<String> sentences = ExtractiveSummariser.sentences(ARTICLE);
    assertThat(sentences).hasSize(7);
    for (SummarySpec budget : List.of(new SummarySpec(60, 3), new SummarySpec(30, 2), new SummarySpec(15, 3), new SummarySpec(100, 1))) {
      ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, ARTICLE, budget);
      List<Integer> chosen = positions(summary.text(), sentences);
      assertThat(chosen).as("budget %s", budget).isNotEmpty().isSorted().doesNotHaveDuplicates();
      assertThat(chosen.size()).isLessThanOrEqualTo(budget.maxSentences());
      assertThat(ExtractiveSummariser.words(summary.text())).isLessThanOrEqualTo(budget.maxWords());
      assertThat(summary.sentences()).isEqualTo(7);
      assertThat(summary.tokens()).isPositive();
    }
  }

  @Test
  void fillsTheBudgetWithCentralSentences() {
    ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, ARTICLE, new SummarySpec(60, 3));
    List<String> sentences = ExtractiveSummariser.sentences(ARTICLE);
    List<Integer> chosen = positions(summary.text(), sentences);
    assertThat(chosen).hasSize(3);
    // The off-topic sentence about the weather is the least central.
    assertThat(summary.text()).doesNotContain("weather");
    int tokens = sentences.stream().mapToInt(s -> model.embed(s).tokens()).sum();
    assertThat(summary.tokens()).isEqualTo(tokens);
  }

  @Test
  void shortTextIsReturnedWholeWithoutRunningTheModel() {
    String text = "  Meeting moved to Friday.\nBring the   slides.  ";
    ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, text, new SummarySpec(60, 3));
    assertThat(summary.text()).isEqualTo("Meeting moved to Friday. Bring the slides.");
    assertThat(summary.tokens()).isZero();
    assertThat(summary.sentences()).isEqualTo(2);
  }

  @Test
  void textAtExactlyTheBudgetIsReturnedWhole() {
    String text = "One two three four five. Six seven eight nine ten.";
    ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, text, new SummarySpec(10, 2));
    assertThat(summary.text()).isEqualTo(text);
    assertThat(summary.tokens()).isZero();
  }

  @Test
  void sentencesAllOverBudgetGiveTheFirstWordsOfOne() {
    ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, ARTICLE, new SummarySpec(5, 2));
    assertThat(summary.text()).endsWith(" …");
    String cut = summary.text().substring(0, summary.text().length() - 2);
    assertThat(cut.split(" ")).hasSize(5);
    assertThat(ExtractiveSummariser.sentences(ARTICLE)).anySatisfy(s -> assertThat(s).startsWith(cut + " "));
    assertThat(summary.tokens()).isPositive();

    String single = "Residents of the northern suburbs will finally get a direct tram line into the city centre.";
    ExtractiveSummariser.Summary one = ExtractiveSummariser.summarise(model, single, new SummarySpec(4, 3));
    assertThat(one.text()).isEqualTo("Residents of the northern …");
    assertThat(one.sentences()).isEqualTo(1);
  }

  @Test
  void nearDuplicateSentencesAreNotBothChosen() {
    String original = "The city council approved a new budget for public transport on Monday.";
    String copy = "The city council approved the new budget for public transport on Monday!";
    String text = ARTICLE.replace("Local businesses", copy + " Local businesses");
    List<String> sentences = ExtractiveSummariser.sentences(text);
    assertThat(sentences).contains(original, copy);
    assertThat(Vectors.dot(model.embed(original).vector(), model.embed(copy).vector()))
        .isGreaterThanOrEqualTo(ExtractiveSummariser.DUPLICATE);

    for (int maxSentences = 2; maxSentences <= 4; maxSentences++) {
      ExtractiveSummariser.Summary summary = ExtractiveSummariser.summarise(model, text, new SummarySpec(200, maxSentences));
      List<Integer> chosen = positions(summary.text(), sentences);
      assertThat(chosen).hasSize(maxSentences);
      assertThat(chosen.contains(sentences.indexOf(original)) && chosen.contains(sentences.indexOf(copy)))
          .as("both copies chosen in '%s'", summary.text())
          .isFalse();
    }
  }

  @Test
  void summaryIsDeterministic() {
    SummarySpec budget = new SummarySpec(30, 2);
    assertThat(ExtractiveSummariser.summarise(model, ARTICLE, budget))
        .isEqualTo(ExtractiveSummariser.summarise(model, ARTICLE, budget));
  }

  @Test
  void blankTextCannotBeSummarised() {
    assertThatThrownBy(() -> ExtractiveSummariser.summarise(model, " \n\t ", SummarySpec.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no sentences");
  }

  @Test
  void sentencesSplitOnLineBreaksAndPunctuation() {
    assertThat(ExtractiveSummariser.sentences("Title\nFirst sentence.  Second   one! Third?\n\n- item one\r\n- item two\n"))
        .containsExactly("Title", "First sentence.", "Second one!", "Third?", "- item one", "- item two");
    assertThat(ExtractiveSummariser.sentences("no full stop at all")).containsExactly("no full stop at all");
    assertThat(ExtractiveSummariser.sentences("\n\n  \n")).isEmpty();
  }

  @Test
  void wordsCountsWhitespaceSeparatedTokens() {
    assertThat(ExtractiveSummariser.words("one two  three\tfour")).isEqualTo(4);
    assertThat(ExtractiveSummariser.words("   ")).isZero();
    assertThat(ExtractiveSummariser.words(" single ")).isEqualTo(1);
  }
}
