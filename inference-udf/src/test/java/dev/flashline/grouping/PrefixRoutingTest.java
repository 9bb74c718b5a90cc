package dev.flashline.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.UnitPrices;
import dev.flashline.task.CostSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prefix affinity across replicas, and when a primer pays. */
class PrefixRoutingTest {
  private static final UnitPrices FLASH = new UnitPrices(0.0028, 0.14, 0.28);

  @Test
  void aPrefixAlwaysGoesToTheSameReplicaAndPrefixesSpreadOverAll() {
    List<String> replicas = List.of("http://a:8000", "http://b:8000", "http://c:8000");
    Map<Integer, Integer> owners = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String prefix = ContentKey.of("template " + i);
      int owner = ReplicaChooser.choose(prefix, replicas);
      assertThat(ReplicaChooser.choose(prefix, replicas)).isEqualTo(owner);
      owners.merge(owner, 1, Integer::sum);
    }
    assertThat(owners.keySet()).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(owners.values()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void removingAReplicaMovesOnlyThePrefixesItOwned() {
    List<String> three = List.of("http://a", "http://b", "http://c");
    List<String> two = List.of("http://a", "http://b");
    for (int i = 0; i < 200; i++) {
      String prefix = ContentKey.of("t" + i);
      int before = ReplicaChooser.choose(prefix, three);
      if (before != 2) {
        assertThat(ReplicaChooser.choose(prefix, two)).isEqualTo(before);
      }
    }
  }

  @Test
  void aPrimerPaysForAWaveOfTwoOrMoreAndNotForOne() {
    assertThat(PrimingPolicy.expectedNetSaving(1, 256, 1000, FLASH)).isNegative();
    assertThat(PrimingPolicy.expectedNetSaving(2, 256, 1000, FLASH)).isPositive();
    // 256 in flight over a 1,000-token prefix: 256 misses become hits, less one primer.
    double expected = 256 * (0.14 - 0.0028) * 1000 / 1e6 - (1000 * 0.14 + 0.28) / 1e6;
    assertThat(PrimingPolicy.expectedNetSaving(5000, 256, 1000, FLASH)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
    // One request at a time: the first request warms the cache itself.
    assertThat(PrimingPolicy.expectedNetSaving(5000, 1, 1000, FLASH)).isNegative();
  }

  @Test
  void thePolicyPrimesColdGroupsOnlyWhenAsked() {
    PrimingPolicy auto = new PrimingPolicy(CostSpec.Priming.auto);
    assertThat(auto.shouldPrime(false, 500, 64, 800, FLASH)).isTrue();
    assertThat(auto.shouldPrime(true, 500, 64, 800, FLASH)).isFalse();
    assertThat(auto.shouldPrime(false, 1, 64, 800, FLASH)).isFalse();
    assertThat(new PrimingPolicy(CostSpec.Priming.off).shouldPrime(false, 500, 64, 800, FLASH)).isFalse();
    assertThat(new PrimingPolicy(CostSpec.Priming.always).shouldPrime(false, 1, 1, 800, FLASH)).isTrue();
  }

  @Test
  void oneWorkerPrimesAPrefixAndTheOthersWaitForIt() throws Exception {
    WarmPrefixes.clear();
    java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
    int[] sent = new int[1];
    WarmPrefixes.Priming first = WarmPrefixes.primeOnce("srv|p", () -> {
      sent[0]++;
      return gate;
    });
    WarmPrefixes.Priming second = WarmPrefixes.primeOnce("srv|p", () -> {
      sent[0]++;
      return gate;
    });
    assertThat(first.ours()).isTrue();
    assertThat(second.ours()).isFalse();
    assertThat(sent[0]).isEqualTo(1);
    assertThat(second.done()).isNotDone();
    assertThat(WarmPrefixes.isWarm("srv|p", 60)).isFalse();
    gate.complete(null);
    second.done().get();
    assertThat(WarmPrefixes.isWarm("srv|p", 60)).isTrue();
    assertThat(WarmPrefixes.isWarm("srv|p", 0)).isFalse();
  }
}
