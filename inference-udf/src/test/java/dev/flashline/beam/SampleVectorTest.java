package dev.flashline.beam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class SampleVectorTest {
  @Test
  void keyIsAStableHashOfTheId() {
    assertThat(SampleVector.key("doc-1")).isEqualTo(SampleVector.key("doc-1"));
    assertThat(SampleVector.key("doc-1")).isNotEqualTo(SampleVector.key("doc-2"));
    // First 8 bytes of SHA-256("abc") = ba7816bf8f01cfea.
    assertThat(SampleVector.key("abc")).isEqualTo(0xba7816bf8f01cfeaL);
  }

  @Test
  void orderPutsTheSmallestKeysFirst() {
    List<SampleVector> vectors = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      vectors.add(SampleVector.of("id-" + i, new float[] {i}));
    }
    SampleVector.SampleOrder order = new SampleVector.SampleOrder();
    // Top keeps the largest under the order: those must be the smallest keys.
    SampleVector largest = vectors.stream().max(order).orElseThrow();
    SampleVector smallestKey = vectors.stream().min(Comparator.comparingLong(SampleVector::key)).orElseThrow();
    assertThat(largest).isSameAs(smallestKey);

    SampleVector a = new SampleVector(7, "a", new float[0]);
    SampleVector b = new SampleVector(7, "b", new float[0]);
    assertThat(order.compare(a, b)).isPositive();
    assertThat(order.compare(b, a)).isNegative();
    assertThat(order.compare(a, a)).isZero();
  }

  @Test
  void coderRoundTrips() throws Exception {
    SampleVector vector = SampleVector.of("record-9", new float[] {0.25f, -1.5f, Float.MIN_VALUE, 3e30f});
    SampleVector copy =
        CoderUtils.decodeFromByteArray(SampleVector.coder(), CoderUtils.encodeToByteArray(SampleVector.coder(), vector));
    assertThat(copy.key()).isEqualTo(vector.key());
    assertThat(copy.id()).isEqualTo("record-9");
    assertThat(copy.vector()).containsExactly(vector.vector());
  }
}
