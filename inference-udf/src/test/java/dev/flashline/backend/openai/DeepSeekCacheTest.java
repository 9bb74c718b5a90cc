package dev.flashline.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.cost.RenderedPrompt;
import dev.flashline.task.ChatMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The cache model on its own, on a clock the test moves. */
class DeepSeekCacheTest {
  private static final DeepSeekTokenizer TOKENIZER = DeepSeekTokenizer.instance();
  private static final Duration BUILD = Duration.ofSeconds(5);
  private static final Duration EXPIRY = Duration.ofHours(1);
  // Well over 64 tokens, so common-prefix detection has something to find.
  private static final String SYSTEM =
      "You label customer support tickets for an online shop. Answer with one JSON object"
          + " {\"label\": L, \"confidence\": C} where L is one of billing (payments, refunds, invoices,"
          + " double charges), delivery (late, lost or damaged parcels, tracking), account (login,"
          + " password, email changes, deletion), product (defects, sizes, missing parts) or other,"
          + " and C is your confidence between 0 and 1. Do not explain. Examples follow.\n"
          + "Ticket: I was charged twice for order 1182. -> billing\n"
          + "Ticket: The parcel says delivered but nothing arrived. -> delivery\n"
          + "Ticket: I cannot reset my password. -> account";
  private static final int[] NO_OUTPUT = new int[0];

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private DeepSeekCache cache(CacheModel.DeepSeek model) {
    return new DeepSeekCache(model, clock::get);
  }

  private DeepSeekCache cache() {
    return cache(CacheModel.deepSeek(BUILD, EXPIRY));
  }

  private void advance(Duration by) {
    clock.addAndGet(by.toNanos());
  }

  private static RenderedPrompt request(String system, String document) {
    return TOKENIZER.render(List.of(ChatMessage.system(system), ChatMessage.user(document)));
  }

  private static RenderedPrompt request(String document) {
    return request(SYSTEM, document);
  }

  /** BOS + system + {@code <｜User｜>}: what a primer persists. */
  private static int staticPrefix(String system) {
    return 1 + TOKENIZER.count(system) + 1;
  }

  /** One request admitted and answered at once, with no output. */
  private static int serve(DeepSeekCache cache, RenderedPrompt prompt) {
    DeepSeekCache.Prefill prefill = cache.lookup(prompt);
    cache.complete(prefill, NO_OUTPUT);
    return prefill.hitTokens();
  }

  private static int commonPrefix(int[] a, int[] b) {
    int n = 0;
    while (n < a.length && n < b.length && a[n] == b[n]) {
      n++;
    }
    return n;
  }

  @Test
  void theFirstTwoRequestsSharingAPrefixMissAndTheThirdHitsTheDetectedPrefix() {
    DeepSeekCache cache = cache();
    RenderedPrompt first = request("Where is my parcel? It is a week late.");
    RenderedPrompt second = request("My card was charged twice for one order.");
    RenderedPrompt third = request("I want to delete my account.");

    assertThat(serve(cache, first)).isZero();
    advance(BUILD);
    assertThat(serve(cache, second)).isZero();
    advance(BUILD);
    int common = commonPrefix(first.ids(), second.ids());
    assertThat(common).isGreaterThanOrEqualTo(staticPrefix(SYSTEM)).isGreaterThan(64);
    // The detected prefix is cut to a multiple of 64 tokens, so short of the whole static prefix.
    assertThat(serve(cache, third)).isEqualTo(common / 64 * 64);
  }

  @Test
  void aPrefixShorterThan64TokensIsNeverDetected() {
    DeepSeekCache cache = cache();
    serve(cache, request("Short.", "first document"));
    advance(BUILD);
    serve(cache, request("Short.", "second document"));
    advance(BUILD);
    assertThat(serve(cache, request("Short.", "third document"))).isZero();
  }

  @Test
  void requestsInFlightTogetherAllMiss() {
    DeepSeekCache cache = cache();
    List<DeepSeekCache.Prefill> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(cache.lookup(request("ticket number " + i + " about a refund")));
    }
    for (DeepSeekCache.Prefill prefill : burst) {
      cache.complete(prefill, NO_OUTPUT);
    }
    assertThat(burst).allSatisfy(p -> assertThat(p.hitTokens()).isZero());
    // Completed, they detected their common prefix: a later request hits it once built.
    advance(BUILD);
    assertThat(serve(cache, request("a later ticket"))).isPositive();
  }

  @Test
  void aPrimerMakesEveryRequestOfTheBurstHitTheWholeStaticPrefix() {
    DeepSeekCache cache = cache();
    RenderedPrompt primer = request("");
    assertThat(serve(cache, primer)).isZero();
    advance(BUILD);

    List<DeepSeekCache.Prefill> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(cache.lookup(request("ticket number " + i + " about a refund")));
    }
    assertThat(burst).allSatisfy(p -> assertThat(p.hitTokens()).isEqualTo(staticPrefix(SYSTEM)));
    assertThat(burst.get(0).promptTokens()).isEqualTo(staticPrefix(SYSTEM) + TOKENIZER.count("ticket number 0 about a refund") + 1);
  }

  @Test
  void aUnitIsHitOnlyOnceBuilt() {
    DeepSeekCache cache = cache();
    serve(cache, request(""));
    advance(BUILD.minusNanos(1));
    assertThat(serve(cache, request("too early"))).isZero();
    advance(Duration.ofNanos(1));
    assertThat(serve(cache, request("just in time"))).isEqualTo(staticPrefix(SYSTEM));
  }

  @Test
  void aUnitExpiresAnExpiryAfterItsLastUse() {
    DeepSeekCache cache = cache();
    serve(cache, request(""));
    advance(BUILD);
    advance(EXPIRY.minus(BUILD));
    // Exactly at the expiry it is still there, and this hit extends its life.
    assertThat(serve(cache, request("kept alive"))).isEqualTo(staticPrefix(SYSTEM));
    advance(EXPIRY);
    assertThat(serve(cache, request("still alive"))).isEqualTo(staticPrefix(SYSTEM));
    advance(EXPIRY.plusNanos(1));
    assertThat(serve(cache, request("gone"))).isZero();
    assertThat(cache.units()).isPositive(); // the miss above persisted its own units again
    advance(EXPIRY.plusNanos(1));
    assertThat(cache.units()).isZero();
    assertThat(cache.storedTokens()).isZero();
  }

  @Test
  void aDuplicateHitsAllButTheLastPromptToken() {
    DeepSeekCache cache = cache();
    RenderedPrompt prompt = request("the same ticket");
    serve(cache, prompt);
    advance(BUILD);
    // Its own user-input unit ends just before <｜Assistant｜>, the last prompt token.
    assertThat(serve(cache, prompt)).isEqualTo(prompt.length() - 1);
  }

  @Test
  void aCorrectionTurnHitsThePreviousTurnAndItsAnswer() {
    DeepSeekCache cache = cache();
    String answer = "{\"label\":\"refund\",\"confidence\":0.9}";
    List<ChatMessage> firstTurn = List.of(ChatMessage.system(SYSTEM), ChatMessage.user("I want my money back."));
    RenderedPrompt first = TOKENIZER.render(firstTurn);
    cache.complete(cache.lookup(first), TOKENIZER.ids(answer));
    advance(BUILD);

    List<ChatMessage> correction = new ArrayList<>(firstTurn);
    correction.add(ChatMessage.assistant(answer));
    correction.add(ChatMessage.user("refund is not a label. Answer again."));
    // The first turn's output unit: its prompt, <｜Assistant｜> included, and the answer.
    assertThat(serve(cache, TOKENIZER.render(correction)))
        .isEqualTo(first.length() + TOKENIZER.count(answer));

    // With a different answer in the history only the first turn's user-input unit matches.
    List<ChatMessage> edited = new ArrayList<>(firstTurn);
    edited.add(ChatMessage.assistant("{\"label\":\"billing\"}"));
    edited.add(ChatMessage.user("Are you sure?"));
    assertThat(serve(cache, TOKENIZER.render(edited))).isEqualTo(first.length() - 1);
  }

  /** A synthetic 40-token prompt, too short for common-prefix detection; ids from {@code first}. */
  private static RenderedPrompt short40(int first) {
    return new RenderedPrompt(IntStream.range(first, first + 40).toArray(), new int[] {39});
  }

  @Test
  void aCapacityEvictsTheLeastRecentlyUsedUnits() {
    // Each prompt persists 39 + 40 tokens (its user input, and its output, empty here): room for
    // two prompts' units, not three.
    DeepSeekCache cache = cache(CacheModel.deepSeek(BUILD, EXPIRY).withCapacityTokens(160));
    serve(cache, short40(1_000));
    serve(cache, short40(2_000));
    assertThat(cache.storedTokens()).isEqualTo(158);
    advance(BUILD);
    assertThat(serve(cache, short40(1_000))).isEqualTo(39); // used again: now the most recent
    serve(cache, short40(3_000));
    assertThat(cache.storedTokens()).isEqualTo(158);
    advance(BUILD);
    assertThat(serve(cache, short40(1_000))).isEqualTo(39);
    assertThat(serve(cache, short40(2_000))).as("least recently used, evicted").isZero();
  }

  @Test
  void withoutACapacityNothingIsEvicted() {
    DeepSeekCache cache = cache();
    for (int i = 0; i < 200; i++) {
      serve(cache, short40(1_000 * i));
    }
    assertThat(cache.units()).isEqualTo(400);
    assertThat(cache.storedTokens()).isEqualTo(200 * 79);
    advance(BUILD);
    assertThat(serve(cache, short40(0))).isEqualTo(39);
  }

  @Test
  void tenThousandRequestsOfAThousandTokensAreCheap() {
    // Synthetic ids: this measures the cache, not the tokenizer. A shared 600-token prefix.
    DeepSeekCache cache = cache();
    int[] shared = IntStream.range(0, 600).map(i -> 1000 + i).toArray();
    int hits = 0;
    long hitTokens = 0;
    for (int r = 0; r < 10_000; r++) {
      int[] ids = new int[1000];
      System.arraycopy(shared, 0, ids, 0, shared.length);
      for (int i = shared.length; i < ids.length; i++) {
        ids[i] = 50_000 + (r * 7919 + i * 31) % 60_000;
      }
      DeepSeekCache.Prefill prefill = cache.lookup(new RenderedPrompt(ids, new int[] {999}));
      cache.complete(prefill, new int[] {7, 8, 9});
      advance(Duration.ofMillis(100));
      hits += prefill.hitTokens() > 0 ? 1 : 0;
      hitTokens += prefill.hitTokens();
    }
    // The first two miss; the rest hit the detected 576-token prefix (600 cut to 64s), once the
    // 5 s build time has passed (50 requests at 100 ms each).
    assertThat(hits).isBetween(10_000 - 60, 10_000 - 2);
    assertThat(hitTokens).isEqualTo(hits * 576L);
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> CacheModel.deepSeek(Duration.ofSeconds(-1), EXPIRY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CacheModel.deepSeek(BUILD, BUILD)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CacheModel.deepSeek(BUILD, EXPIRY).withCapacityTokens(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
