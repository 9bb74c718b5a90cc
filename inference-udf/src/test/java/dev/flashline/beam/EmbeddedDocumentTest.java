package dev.flashline.beam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.schema.Document;
import java.util.Map;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class EmbeddedDocumentTest {
  @Test
  void coderRoundTripsEveryField() throws Exception {
    Document document =
        Document.newBuilder()
            .setId("d1")
            .setText("Hello there")
            .setGoldLabel("ham")
            .setSource("in.jsonl:3")
            .setMetadata(Map.of("lang", "en"))
            .build();
    float[] vector = new float[384];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) Math.sin(i);
    }
    EmbeddedDocument embedded = new EmbeddedDocument(document, vector, 17, true, 0.0125);

    EmbeddedDocument copy =
        CoderUtils.decodeFromByteArray(
            EmbeddedDocument.coder(), CoderUtils.encodeToByteArray(EmbeddedDocument.coder(), embedded));

    assertThat(copy.document()).isEqualTo(document);
    assertThat(copy.vector()).containsExactly(vector);
    assertThat(copy.tokens()).isEqualTo(17);
    assertThat(copy.truncated()).isTrue();
    assertThat(copy.cpuSeconds()).isEqualTo(0.0125);
  }

  @Test
  void documentsAreDescribedByIdAndSource() {
    Document withSource = Document.newBuilder().setId("d1").setText("x").setSource("a.csv#4").build();
    Document without = Document.newBuilder().setId("d2").setText("x").build();
    assertThat(Documents.describe(withSource)).isEqualTo("record 'd1' (a.csv#4)");
    assertThat(Documents.describe(without)).isEqualTo("record 'd2'");
  }

  @Test
  void exampleMatchingIgnoresWhitespaceOnly() {
    assertThat(dev.flashline.task.Example.normalise("  Win   a\tprize\n")).isEqualTo("Win a prize");
    assertThat(dev.flashline.task.Example.normalise("Win a prize")).isNotEqualTo(dev.flashline.task.Example.normalise("win a prize"));
  }
}
