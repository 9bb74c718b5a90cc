package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
  private static final TopicPartition P0 = new TopicPartition("in", 0);
  private static final TopicPartition P1 = new TopicPartition("in", 1);

  @AfterEach
  void forget() {
    OffsetLedger.forget("test");
  }

  private static KafkaPosition at(int partition, long offset) {
    return new KafkaPosition("in", partition, offset);
  }

  @Test
  void theCommittedOffsetNeverPassesAnUnfinishedMessage() throws Exception {
    OffsetLedger ledger = OffsetLedger.of("test");
    for (long offset = 0; offset < 5; offset++) {
      ledger.read(at(0, offset), "r" + offset, null);
    }
    ledger.read(at(1, 7), "s7", null);

    // Finished out of order: 0, 2, 3 but not 1 or 4.
    ledger.done(at(0, 0));
    ledger.done(at(0, 3));
    ledger.done(at(0, 2));
    assertThat(ledger.committable()).isEqualTo(Map.of(P0, 1L));

    ledger.done(at(0, 1));
    assertThat(ledger.committable()).isEqualTo(Map.of(P0, 4L));
    ledger.done(at(0, 4));
    ledger.done(at(1, 7));
    assertThat(ledger.committable()).isEqualTo(Map.of(P0, 5L, P1, 8L));
    assertThat(ledger.pending()).isZero();
    assertThat(ledger.done()).isEqualTo(6);
  }

  @Test
  void aRecordsMessageIsFoundByIdEvenWhenTheIdRepeats() throws Exception {
    OffsetLedger ledger = OffsetLedger.of("test");
    ledger.read(at(0, 1), "same", new byte[] {1});
    ledger.read(at(0, 2), "same", new byte[] {2});
    assertThat(ledger.take("same").entry().position()).isEqualTo(at(0, 1));
    assertThat(ledger.take("same").entry().payload()).containsExactly(2);
    assertThat(ledger.take("same")).isNull();
  }

  @Test
  void aMessageOfAJobOfSeveralTasksFinishesWithItsLastRow() {
    OffsetLedger ledger = OffsetLedger.of("tasks-" + System.nanoTime());
    ledger.read(at(0, 5), "r5", new byte[] {5}, 3);

    assertThat(ledger.take("r5").last()).isFalse();
    assertThat(ledger.take("r5").last()).isFalse();
    OffsetLedger.Taken third = ledger.take("r5");
    assertThat(third.last()).isTrue();
    assertThat(third.entry().position()).isEqualTo(at(0, 5));
    assertThat(ledger.take("r5")).isNull();
  }
}
