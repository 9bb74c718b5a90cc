package dev.flashline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.schema.Charge;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.PriceTier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobTotalsTest {
  private static final double[] FLASH_PEAK = {0.07, 0.27, 1.1};
  private static final double[] FLASH_OFF_PEAK = {0.035, 0.135, 0.55};
  private static final double[] PRO_PEAK = {0.14, 0.55, 2.19};

  private static JobTotals totals(List<LabelledRecord> rows) {
    JobTotals totals = new JobTotals();
    rows.forEach(totals::add);
    return totals;
  }

  @Test
  void escalatedRowSpendsAtEveryStageItReachedAndIsAnsweredByTheLast() {
    Charge local = Rows.local(0.02);
    Charge flash = Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-01", FLASH_PEAK, 1000, 200, 50);
    Charge proFirst = Rows.api("pro", "deepseek-reasoner", 2, PriceTier.peak, "ds-2025-01", PRO_PEAK, 0, 1200, 400);
    Charge proRetry = Rows.api("pro", "deepseek-reasoner", 4, PriceTier.peak, "ds-2025-01", PRO_PEAK, 1024, 176, 300);
    LabelledRecord row = Rows.row("a", null, 4, List.of(local, flash, proFirst, proRetry));

    JobTotals totals = totals(List.of(row));

    assertThat(totals.attempts).isEqualTo(4);
    assertThat(totals.billedRequests).isEqualTo(3);
    assertThat(totals.costUsd).isEqualTo(row.getCostUsd());

    StageTotals atLocal = totals.stages.get("local");
    assertThat(atLocal.answered).isZero();
    assertThat(atLocal.spendUsd).isEqualTo(local.getCostUsd());
    assertThat(atLocal.requests).isEqualTo(1);
    StageTotals atFlash = totals.stages.get("flash");
    assertThat(atFlash.answered).isZero();
    assertThat(atFlash.spendUsd).isEqualTo(flash.getCostUsd());
    StageTotals atPro = totals.stages.get("pro");
    assertThat(atPro.answered).isEqualTo(1);
    assertThat(atPro.ok).isEqualTo(1);
    assertThat(atPro.answeredCostUsd).isEqualTo(row.getCostUsd());
    assertThat(atPro.spendUsd).isEqualTo(proFirst.getCostUsd() + proRetry.getCostUsd());
    assertThat(atPro.requests).isEqualTo(2);

    // The row is the reasoner's, but each model is charged for its own work.
    JobTotals.ModelTotals reasoner = totals.models.get("openai/deepseek-reasoner");
    assertThat(reasoner.records).isEqualTo(1);
    assertThat(reasoner.costUsd).isEqualTo(proFirst.getCostUsd() + proRetry.getCostUsd());
    assertThat(reasoner.cacheHitTokens).isEqualTo(1024);
    assertThat(reasoner.cacheMissTokens).isEqualTo(1376);
    assertThat(reasoner.inputTokens).isEqualTo(2400);
    JobTotals.ModelTotals chat = totals.models.get("openai/deepseek-chat");
    assertThat(chat.records).isZero();
    assertThat(chat.costUsd).isEqualTo(flash.getCostUsd());
    assertThat(totals.models.get("local/minilm").computeSeconds).isEqualTo(0.02);

    assertThat(totals.prices).hasSize(3);
    PriceTotals pro =
        totals.prices.values().stream().filter(p -> p.model.equals("deepseek-reasoner")).findFirst().orElseThrow();
    assertThat(pro.requests).isEqualTo(2);
    assertThat(pro.priceTier).isEqualTo("peak");
    assertThat(pro.priceSchedule).isEqualTo("ds-2025-01");
    assertThat(pro.usdPerMillionCacheMiss).isEqualTo(0.55);
    assertThat(pro.outputTokens).isEqualTo(700);
    assertThat(pro.reasoningTokens).isEqualTo(100 + 75);
  }

  @Test
  void pricesAreKeptApartByTierScheduleAndUnitPrice() {
    List<LabelledRecord> rows =
        List.of(
            Rows.row("1", null, 1, List.of(Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-01", FLASH_PEAK, 10, 10, 10))),
            Rows.row("2", null, 1, List.of(Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-01", FLASH_PEAK, 20, 20, 20))),
            Rows.row("3", null, 1, List.of(Rows.api("flash", "deepseek-chat", 1, PriceTier.off_peak, "ds-2025-01", FLASH_OFF_PEAK, 10, 10, 10))),
            Rows.row("4", null, 1, List.of(Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-02", FLASH_PEAK, 10, 10, 10))),
            Rows.row("5", null, 1, List.of(Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-02", new double[] {0.06, 0.27, 1.1}, 10, 10, 10))));

    JobTotals totals = totals(rows);

    assertThat(totals.prices).hasSize(4);
    assertThat(totals.prices.values()).extracting(p -> p.requests).containsExactlyInAnyOrder(2L, 1L, 1L, 1L);
    assertThat(totals.prices.keySet()).allSatisfy(key -> assertThat(key).startsWith("openai/deepseek-chat | "));
  }

  @Test
  void failedRowsCountedByReasonCode() {
    Charge flash = Rows.api("flash", "deepseek-chat", 1, PriceTier.peak, "ds-2025-01", FLASH_PEAK, 0, 100, 5);
    List<LabelledRecord> rows =
        List.of(
            Rows.row("1", "insufficient_balance: top up the account", 1, List.of(flash)),
            Rows.row("2", "insufficient_balance: top up the account", 1, List.of(flash)),
            Rows.row("3", "invalid_output: 'maybe' is not a label", 2, List.of(flash, flash)),
            Rows.row("4", "http_400: context too long", 1, List.of(flash)),
            Rows.uncharged("5", 0, "a.jsonl line 3: record 'j3': not valid JSON"),
            Rows.uncharged("6", 0, "Record 'x': field 'text' is missing"),
            Rows.uncharged("7", 0, "no colon at all"),
            LabelledRecord.newBuilder(Rows.uncharged("8", 0, "x")).setError(null).build(),
            Rows.row("9", null, 1, List.of(flash)));

    JobTotals totals = totals(rows);

    assertThat(totals.failed).isEqualTo(8);
    assertThat(totals.failureReasons)
        .containsExactlyInAnyOrderEntriesOf(Map.of("insufficient_balance", 2L, "invalid_output", 1L, "http_400", 1L, "other", 4L));
    StageTotals atFlash = totals.stages.get("flash");
    assertThat(atFlash.answered).isEqualTo(5);
    assertThat(atFlash.failed).isEqualTo(4);
    assertThat(atFlash.ok).isEqualTo(1);
  }

  @Test
  void rowsWithoutChargesKeepTheirCostUnderTheirOwnModel() {
    LabelledRecord billed = Rows.uncharged("1", 0.5, null);
    LabelledRecord unreadable = Rows.uncharged("2", 0, "a.csv line 3: unterminated quote");

    JobTotals totals = totals(List.of(billed, unreadable));

    assertThat(totals.costUsd).isEqualTo(billed.getCostUsd());
    JobTotals.ModelTotals local = totals.models.get("local/minilm");
    assertThat(local.records).isEqualTo(2);
    assertThat(local.costUsd).isEqualTo(billed.getCostUsd());
    assertThat(local.computeSeconds).isEqualTo(0.5);
    assertThat(local.inputTokens).isEqualTo(40);
    assertThat(totals.prices).hasSize(1);
    PriceTotals price = totals.prices.values().iterator().next();
    assertThat(price.costUsd).isEqualTo(billed.getCostUsd());
    assertThat(price.priceSchedule).isEqualTo(Rows.LOCAL_SCHEDULE);
    assertThat(price.usdPerMillionCacheHit).isNull();
    assertThat(price.requests).isEqualTo(1);
    assertThat(totals.billedRequests).isZero();
    assertThat(totals.attempts).isZero();
    assertThat(totals.stages).isEmpty();
  }

  @Test
  void everyBreakdownAddsUpToTheRows() {
    List<LabelledRecord> rows = Rows.generated(5000, 7);

    JobTotals totals = totals(rows);

    double rowCost = 0;
    long attempts = 0;
    for (LabelledRecord row : rows) {
      rowCost += row.getCostUsd();
      attempts += row.getAttempts();
    }
    assertThat(totals.records).isEqualTo(5000);
    assertThat(totals.attempts).isEqualTo(attempts);
    assertThat(totals.costUsd).isCloseTo(rowCost, within(1e-12 * rowCost));
    assertThat(totals.models.values().stream().mapToDouble(m -> m.costUsd).sum()).isCloseTo(rowCost, within(1e-12 * rowCost));
    assertThat(totals.prices.values().stream().mapToDouble(p -> p.costUsd).sum()).isCloseTo(rowCost, within(1e-12 * rowCost));
    assertThat(totals.models.values().stream().mapToLong(m -> m.records).sum()).isEqualTo(5000);
    assertThat(totals.failureReasons.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(totals.failed);
    // Only the older rows lack a stage, so stages account for every other row and charge.
    double unstaged = rows.stream().filter(r -> r.getStage() == null).mapToDouble(LabelledRecord::getCostUsd).sum();
    assertThat(totals.stages.values().stream().mapToDouble(s -> s.spendUsd).sum() + unstaged).isCloseTo(rowCost, within(1e-12 * rowCost));
    assertThat(totals.stages.values().stream().mapToDouble(s -> s.answeredCostUsd).sum() + unstaged).isCloseTo(rowCost, within(1e-12 * rowCost));
    long charges = rows.stream().mapToLong(r -> r.getCharges().size()).sum();
    assertThat(totals.stages.values().stream().mapToLong(s -> s.requests).sum()).isEqualTo(charges);
    long billed = rows.stream().flatMap(r -> r.getCharges().stream()).filter(c -> c.getAttempt() > 0).count();
    assertThat(totals.billedRequests).isEqualTo(billed).isPositive();
    assertThat(totals.prices.values().stream().mapToLong(p -> p.cacheHitTokens).sum()).isEqualTo(totals.cacheHitTokens);
    assertThat(totals.prices.values().stream().mapToLong(p -> p.cacheMissTokens).sum()).isEqualTo(totals.cacheMissTokens);
    // 2 models x 2 tiers x 2 schedules, the local rate, and the older rows' rate (unit prices unknown).
    assertThat(totals.prices).hasSize(10);
  }

  @Test
  void mergingSplitAccumulatorsGivesTheSingleAccumulation() throws Exception {
    List<LabelledRecord> rows = Rows.generated(3000, 11);
    JobTotals single = totals(rows);

    // As the runner does: accumulate in parts, send them through the coder, merge.
    TotalsFn fn = new TotalsFn();
    JsonCoder<JobTotals> coder = JsonCoder.of(JobTotals.class);
    List<JobTotals> parts = new ArrayList<>();
    for (int part = 0; part < 4; part++) {
      JobTotals accumulator = fn.createAccumulator();
      for (int i = part; i < rows.size(); i += 4) {
        accumulator = fn.addInput(accumulator, rows.get(i));
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      coder.encode(accumulator, bytes);
      parts.add(coder.decode(new ByteArrayInputStream(bytes.toByteArray())));
    }
    JobTotals merged = fn.mergeAccumulators(List.of(fn.mergeAccumulators(parts.subList(0, 2)), fn.mergeAccumulators(parts.subList(2, 4))));

    // Counts are exact; sums of doubles agree to rounding, as their order differs.
    assertThat(merged.records).isEqualTo(single.records);
    assertThat(merged.attempts).isEqualTo(single.attempts);
    assertThat(merged.billedRequests).isEqualTo(single.billedRequests);
    assertThat(merged.failureReasons).isEqualTo(single.failureReasons);
    assertThat(merged.costUsd).isCloseTo(single.costUsd, within(1e-12 * single.costUsd));
    assertThat(merged.stages.keySet()).isEqualTo(single.stages.keySet());
    single.stages.forEach(
        (name, s) -> {
          StageTotals m = merged.stages.get(name);
          assertThat(m).usingRecursiveComparison().ignoringFields("answeredCostUsd", "spendUsd").isEqualTo(s);
          assertThat(m.spendUsd).isCloseTo(s.spendUsd, within(1e-12 * s.spendUsd));
          assertThat(m.answeredCostUsd).isCloseTo(s.answeredCostUsd, within(1e-12 * Math.max(s.answeredCostUsd, 1e-300)));
        });
    assertThat(merged.prices.keySet()).isEqualTo(single.prices.keySet());
    single.prices.forEach(
        (key, p) -> {
          PriceTotals m = merged.prices.get(key);
          assertThat(m).usingRecursiveComparison().ignoringFields("costUsd", "computeSeconds").isEqualTo(p);
          assertThat(m.costUsd).isCloseTo(p.costUsd, within(1e-12 * p.costUsd));
          assertThat(m.computeSeconds).isCloseTo(p.computeSeconds, within(1e-12 * Math.max(p.computeSeconds, 1e-300)));
        });
    assertThat(merged.models.keySet()).isEqualTo(single.models.keySet());
    single.models.forEach(
        (key, s) -> {
          JobTotals.ModelTotals m = merged.models.get(key);
          assertThat(m).usingRecursiveComparison().ignoringFields("costUsd", "computeSeconds").isEqualTo(s);
          assertThat(m.costUsd).isCloseTo(s.costUsd, within(1e-12 * s.costUsd));
        });
  }

  @Test
  void mergingNeverSharesStateWithTheMergedAccumulator() {
    JobTotals part = totals(Rows.generated(50, 5));
    JobTotals merged = new JobTotals();
    merged.merge(part);
    merged.merge(part);

    part.prices.forEach((key, p) -> assertThat(merged.prices.get(key).requests).isEqualTo(2 * p.requests));
    part.stages.forEach((key, s) -> assertThat(merged.stages.get(key).requests).isEqualTo(2 * s.requests));
  }

  @Test
  void totalsTravelAsPlainJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JobTotals totals = totals(Rows.generated(200, 1));

    JobTotals back = json.readValue(json.writeValueAsString(totals), JobTotals.class);

    // Compared this way round because maps come back as plain, not sorted, maps.
    assertThat(totals).usingRecursiveComparison().isEqualTo(back);
  }
}
