package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EncoderModelTest {
  private static SharedEncoder.Lease lease;
  private static EncoderModel model;

  @BeforeAll
  static void load() {
    lease = SharedEncoder.acquire(EncoderModelSpec.E5_SMALL_V2_Q);
    model = lease.model();
  }

  @AfterAll
  static void release() {
    lease.close();
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  private static String words(String sentence, int count) {
    String[] parts = sentence.split(" ");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(parts[i % parts.length]);
    }
    return out.toString();
  }

  @Test
  void vectorsAreUnitLengthWithTheModelsDimension() {
    assertThat(model.dimension()).isEqualTo(384);
    assertThat(model.spec()).isEqualTo(EncoderModelSpec.E5_SMALL_V2_Q);
    for (String text : List.of("Hello world", "Win a FREE prize now!!! Text WIN to 80000", "", "  ")) {
      Embedding embedding = model.embed(text);
      assertThat(embedding.vector()).hasSize(384);
      assertThat(norm(embedding.vector())).isCloseTo(1.0, within(1e-5));
      assertThat(embedding.truncated()).isFalse();
    }
  }

  @Test
  void sameTextGivesBitIdenticalVectors() {
    String text = "Are we still meeting for lunch tomorrow at noon?";
    Embedding first = model.embed(text);
    Embedding second = model.embed(text);
    assertThat(second.vector()).containsExactly(first.vector());
    assertThat(second.tokens()).isEqualTo(first.tokens());
  }

  @Test
  void sameVectorsFromConcurrentThreads() throws Exception {
    List<String> texts =
        List.of(
            "Are we still meeting for lunch tomorrow?",
            "URGENT! You have won a 1000 pound cash prize. Call 09050000332 now.",
            "The committee will publish its report next week.",
            "Sorry, I'll call later, in a meeting.");
    List<float[]> expected = texts.stream().map(t -> model.embed(t).vector()).toList();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<float[]>>> futures = new ArrayList<>();
      for (int thread = 0; thread < 2; thread++) {
        Callable<List<float[]>> task =
            () -> {
              List<float[]> out = new ArrayList<>();
              for (int round = 0; round < 3; round++) {
                for (String text : texts) {
                  out.add(model.embed(text).vector());
                }
              }
              return out;
            };
        futures.add(pool.submit(task));
      }
      for (Future<List<float[]>> future : futures) {
        List<float[]> vectors = future.get();
        for (int i = 0; i < vectors.size(); i++) {
          assertThat(vectors.get(i)).containsExactly(expected.get(i % texts.size()));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void similarTextsAreCloserThanUnrelatedOnes() {
    float[] cat = model.embed("The cat is sleeping on the sofa.").vector();
    float[] kitten = model.embed("A kitten naps on the couch.").vector();
    float[] finance = model.embed("Quarterly revenue rose by five percent on strong bond sales.").vector();
    float[] prize = model.embed("Congratulations! You have won a free cruise, call now to claim.").vector();
    float[] prize2 = model.embed("You are a winner of a cash prize, text CLAIM to 80808.").vector();

    assertThat(Vectors.dot(cat, kitten)).isGreaterThan(Vectors.dot(cat, finance) + 0.05);
    assertThat(Vectors.dot(prize, prize2)).isGreaterThan(Vectors.dot(prize, cat) + 0.05);
    assertThat(Vectors.dot(cat, cat)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void longTextIsEmbeddedInSeveralWindowsNotTruncated() {
    String cooking = "Slowly simmer the tomatoes with garlic and fresh basil to make a rich pasta sauce.";
    String astronomy = "The telescope observed distant galaxies and a supernova in the night sky.";
    String firstHalf = words(cooking, 750);
    String text = firstHalf + " " + words(astronomy, 750);
    int window = EncoderModelSpec.E5_SMALL_V2_Q.maxPositions() - 2;

    Embedding embedding = model.embed(text);
    assertThat(embedding.truncated()).isFalse();
    // Several windows, each wrapped in its own two special tokens.
    int windows = (embedding.tokens() + window + 1) / (window + 2);
    assertThat(embedding.tokens()).isGreaterThan(3 * 512);
    assertThat(windows).isBetween(4, EncoderModel.MAX_WINDOWS);
    assertThat(norm(embedding.vector())).isCloseTo(1.0, within(1e-5));

    // The second half counts: the whole text is much closer to astronomy than its first half is.
    float[] stars = model.embed(astronomy).vector();
    float[] whole = embedding.vector();
    float[] headOnly = model.embed(firstHalf).vector();
    assertThat(Vectors.dot(whole, stars)).isGreaterThan(Vectors.dot(headOnly, stars) + 0.05);
  }

  @Test
  void textBeyondTheWindowBudgetIsTruncated() {
    int window = EncoderModelSpec.E5_SMALL_V2_Q.maxPositions() - 2;
    // About one token per word: comfortably more than MAX_WINDOWS windows.
    String text = words("alpha beta gamma delta epsilon zeta eta theta iota kappa", EncoderModel.MAX_WINDOWS * window + 600);

    Embedding embedding = model.embed(text);
    assertThat(embedding.truncated()).isTrue();
    assertThat(embedding.tokens()).isEqualTo(EncoderModel.MAX_WINDOWS * (window + 2));
    assertThat(norm(embedding.vector())).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void namedFindsBundledModelsAndListsThemOtherwise() {
    assertThat(EncoderModelSpec.named("e5-small-v2-q")).isSameAs(EncoderModelSpec.E5_SMALL_V2_Q);
    assertThat(EncoderModelSpec.named(" E5-Small-V2-Q ")).isSameAs(EncoderModelSpec.E5_SMALL_V2_Q);
    assertThatThrownBy(() -> EncoderModelSpec.named("gpt-5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpt-5'")
        .hasMessageContaining("bundled: e5-small-v2-q");
  }

  @Test
  void specRejectsATinyWindow() {
    assertThatThrownBy(
            () -> new EncoderModelSpec("x", "x.onnx", "x.json", EncoderModelSpec.Pooling.MEAN, "", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPositions");
  }

  @Test
  void missingModelResourceIsReported() {
    EncoderModelSpec missing =
        new EncoderModelSpec("ghost", "ghost.onnx", "ghost.json", EncoderModelSpec.Pooling.MEAN, "", 512);
    assertThatThrownBy(() -> EncoderModel.load(missing)).hasMessageContaining("ghost.onnx");
  }

  @Test
  void tokensCountThePrefixAndSpecialTokens() {
    // [CLS] query : hello world [SEP]
    assertThat(model.embed("hello world").tokens()).isEqualTo(6);
  }
}
