package dev.flashline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.schema.PriceTier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceScheduleTest {
  private static final PriceSchedule DEFAULTS = PriceSchedule.defaults();
  private static final String FLASH = "deepseek-v4-flash";
  private static final String PRO = "deepseek-v4-pro";

  private static AppliedPrice flashAt(String instant) {
    return DEFAULTS.priceAt(FLASH, Instant.parse(instant));
  }

  @Test
  void defaultScheduleHasTheThreeDeepSeekEntries() {
    assertThat(DEFAULTS.entries())
        .extracting(PriceEntry::id)
        .containsExactly("deepseek-v4-launch", "deepseek-v4-pro-list-2026-06-01", "deepseek-v4-peak-2026-08-16");
    assertThat(DEFAULTS.source()).isEqualTo("classpath:/dev/flashline/cost/deepseek-v4-prices.yaml");
  }

  @Test
  void weekdayPeakWindowIsPeak() {
    // 2026-09-01 is a Tuesday.
    AppliedPrice price = flashAt("2026-09-01T02:30:00Z");
    assertThat(price.tier()).isEqualTo(PriceTier.peak);
    assertThat(price.prices()).isEqualTo(new UnitPrices(0.014, 0.44, 1.32));
    assertThat(price.scheduleId()).isEqualTo("deepseek-v4-peak-2026-08-16");
  }

  @Test
  void windowsAreHalfOpen() {
    assertThat(flashAt("2026-09-01T01:00:00Z").tier()).isEqualTo(PriceTier.peak);
    assertThat(flashAt("2026-09-01T00:59:59Z").tier()).isEqualTo(PriceTier.off_peak);
    AppliedPrice atFour = flashAt("2026-09-01T04:00:00Z");
    assertThat(atFour.tier()).isEqualTo(PriceTier.off_peak);
    assertThat(atFour.prices()).isEqualTo(new UnitPrices(0.007, 0.22, 0.66));
    assertThat(flashAt("2026-09-01T05:59:59Z").tier()).isEqualTo(PriceTier.off_peak);
    assertThat(flashAt("2026-09-01T06:00:00Z").tier()).isEqualTo(PriceTier.peak);
    assertThat(flashAt("2026-09-01T09:59:00Z").tier()).isEqualTo(PriceTier.peak);
    assertThat(flashAt("2026-09-01T09:59:59.999Z").tier()).isEqualTo(PriceTier.peak);
    assertThat(flashAt("2026-09-01T10:00:00Z").tier()).isEqualTo(PriceTier.off_peak);
  }

  @Test
  void weekendsAreOffPeak() {
    // 2026-09-05 is a Saturday, 2026-09-06 a Sunday.
    assertThat(flashAt("2026-09-05T02:00:00Z").tier()).isEqualTo(PriceTier.off_peak);
    assertThat(flashAt("2026-09-06T07:00:00Z").tier()).isEqualTo(PriceTier.off_peak);
    assertThat(flashAt("2026-09-04T07:00:00Z").tier()).isEqualTo(PriceTier.peak);
  }

  @Test
  void beforeThePeakEntryTheLaunchPriceIsStandard() {
    AppliedPrice price = flashAt("2026-08-16T15:59:59Z");
    assertThat(price.tier()).isEqualTo(PriceTier.standard);
    assertThat(price.prices()).isEqualTo(new UnitPrices(0.0028, 0.14, 0.28));
    assertThat(price.scheduleId()).isEqualTo("deepseek-v4-pro-list-2026-06-01");
    // 2026-08-16 is a Sunday, so the first instant of the tiered entry is off-peak.
    assertThat(flashAt("2026-08-16T16:00:00Z").tier()).isEqualTo(PriceTier.off_peak);
  }

  @Test
  void proPromotionThenListPrice() {
    AppliedPrice promo = DEFAULTS.priceAt(PRO, Instant.parse("2026-05-15T12:00:00Z"));
    assertThat(promo.scheduleId()).isEqualTo("deepseek-v4-launch");
    assertThat(promo.tier()).isEqualTo(PriceTier.standard);
    assertThat(promo.prices()).isEqualTo(new UnitPrices(0.003625, 0.435, 0.87));

    AppliedPrice list = DEFAULTS.priceAt(PRO, Instant.parse("2026-07-01T12:00:00Z"));
    assertThat(list.scheduleId()).isEqualTo("deepseek-v4-pro-list-2026-06-01");
    assertThat(list.prices()).isEqualTo(new UnitPrices(0.0145, 1.74, 3.48));

    assertThat(DEFAULTS.priceAt(PRO, Instant.parse("2026-05-31T23:59:59Z")).prices().cacheMiss()).isEqualTo(0.435);
    assertThat(DEFAULTS.priceAt(PRO, Instant.parse("2026-06-01T00:00:00Z")).prices().cacheMiss()).isEqualTo(1.74);
  }

  @Test
  void costOfAKnownUsage() {
    TokenUsage usage = new TokenUsage(1200, 1024, 176, 350, 300);
    // Flash at peak: 1024 * 0.014 + 176 * 0.44 + 350 * 1.32 = 14.336 + 77.44 + 462 = 553.776 per 1M.
    assertThat(flashAt("2026-09-01T02:30:00Z").usd(usage)).isCloseTo(0.000553776, within(1e-15));
    // Pro promo: 1024 * 0.003625 + 176 * 0.435 + 350 * 0.87 = 3.712 + 76.56 + 304.5 = 384.772 per 1M.
    assertThat(DEFAULTS.priceAt(PRO, Instant.parse("2026-05-15T00:00:00Z")).usd(usage))
        .isCloseTo(0.000384772, within(1e-15));
    assertThat(flashAt("2026-09-01T02:30:00Z").usd(TokenUsage.ZERO)).isZero();
  }

  @Test
  void beforeTheFirstEntryNothingIsPriced() {
    Instant early = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(DEFAULTS.prices(FLASH, early)).isFalse();
    assertThatThrownBy(() -> DEFAULTS.priceAt(FLASH, early))
        .isInstanceOf(UnpricedModelException.class)
        .hasMessageContaining("2026-01-01T00:00:00Z")
        .hasMessageContaining("2026-04-24T00:00:00Z")
        .hasMessageContaining("deepseek-v4-launch")
        .hasMessageContaining("--prices FILE");
  }

  @Test
  void unknownModelNamesTheEntryAndTheModelsItPrices() {
    Instant at = Instant.parse("2026-09-01T02:30:00Z");
    assertThat(DEFAULTS.prices("qwen3-8b", at)).isFalse();
    assertThat(DEFAULTS.prices(FLASH, at)).isTrue();
    assertThatThrownBy(() -> DEFAULTS.priceAt("qwen3-8b", at))
        .isInstanceOf(UnpricedModelException.class)
        .hasMessageContaining("'qwen3-8b'")
        .hasMessageContaining("deepseek-v4-peak-2026-08-16")
        .hasMessageContaining("deepseek-v4-flash, deepseek-v4-pro")
        .hasMessageContaining("--prices FILE");
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(DEFAULTS);
    }
    PriceSchedule copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (PriceSchedule) in.readObject();
    }
    assertThat(copy).isEqualTo(DEFAULTS);
    Instant at = Instant.parse("2026-09-01T02:30:00Z");
    assertThat(copy.priceAt(FLASH, at)).isEqualTo(DEFAULTS.priceAt(FLASH, at));
  }

  @Test
  void constructorRejectsOutOfOrderEntries() {
    PriceEntry a = entry("a", "2026-01-01T00:00:00Z");
    PriceEntry b = entry("b", "2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> new PriceSchedule(List.of(a, b), "test"))
        .hasMessageContaining("entry 'b'")
        .hasMessageContaining("after the entry before it");
    assertThatThrownBy(() -> new PriceSchedule(List.of(a, entry("a", "2026-02-01T00:00:00Z")), "test"))
        .hasMessageContaining("two entries with id 'a'");
  }

  private static PriceEntry entry(String id, String from) {
    return new PriceEntry(
        id, Instant.parse(from), null, Map.of("m", ModelPrices.standard(new UnitPrices(1, 1, 1))));
  }
}
