package dev.flashline.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.cost.DeepSeekTokenizer;
import dev.flashline.pipeline.Samples;
import dev.flashline.task.JobSpec;
import dev.flashline.task.PromptLayout;
import org.junit.jupiter.api.Test;

/** Token counting and duplicates in the estimate's pass over the input. */
class DocumentScanTest {
  private final JobSpec job = Samples.job();
  private final PromptLayout layout = PromptLayout.of(job);
  private final DeepSeekTokenizer tokenizer = DeepSeekTokenizer.instance();

  @Test
  void aDocumentsTokensAreItsPromptLessThePrefix() {
    DocumentScan scan = new DocumentScan(job, new int[] {0}, 0);
    String text = "Free entry in 2 a wkly comp to win FA Cup final tkts";
    long prefix = DocumentScan.prefixTokens(layout);
    assertThat(scan.documentTokens(text)).isEqualTo(tokenizer.promptTokens(layout.messages(text)) - prefix);
    // The prefix is exactly the primer's user-input unit: its prompt less the assistant marker.
    assertThat(prefix).isEqualTo(tokenizer.promptTokens(java.util.List.of(
        dev.flashline.task.ChatMessage.system(layout.staticPrefix()), dev.flashline.task.ChatMessage.user(""))) - 1);
    // "<document>" and the newline are shared by every request, whatever the document.
    long lead = DocumentScan.sharedLead(layout);
    assertThat(lead).isGreaterThan(0);
    int[] a = tokenizer.ids(layout.messages("abc").get(1).content());
    int[] b = tokenizer.ids(layout.messages("xyz").get(1).content());
    for (int i = 0; i < lead; i++) {
      assertThat(a[i]).isEqualTo(b[i]);
    }
  }

  @Test
  void duplicatesAreCountedOnceAndUnmappableRowsSkipped() {
    DocumentScan scan = new DocumentScan(job, new int[] {10}, 5);
    scan.add("hello there", null);
    scan.add("see you at eight", null);
    scan.add("hello there", null);
    scan.add(null, "x.jsonl line 4: field 'text' is missing");
    assertThat(scan.records()).isEqualTo(4);
    assertThat(scan.unmappable()).isEqualTo(1);
    assertThat(scan.firstUnmappable()).contains("line 4");
    assertThat(scan.documents()).isEqualTo(3);
    assertThat(scan.distinct()).isEqualTo(2);
    assertThat(scan.duplicates()).isEqualTo(1);
    assertThat(scan.documentTokens()).isEqualTo(scan.documentTokens("hello there") + scan.documentTokens("see you at eight"));
    assertThat(scan.duplicateDocumentTokens()).isEqualTo(scan.documentTokens("hello there"));
    assertThat(scan.summaryOutput(0)).isEqualTo(Math.min(10, scan.documentTokens("hello there")) + Math.min(10, scan.documentTokens("see you at eight")));
    assertThat(scan.sample()).containsExactlyInAnyOrder("hello there", "see you at eight");
  }
}
