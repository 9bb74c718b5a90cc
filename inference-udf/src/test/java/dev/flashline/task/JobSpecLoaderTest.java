package dev.flashline.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.schema.TaskType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecLoaderTest {
  private static final String SOURCE = "specs/test-job.yaml";

  private static final String MINIMAL_CLASSIFY =
      """
      name: spam-check
      task: classify
      labels:
        - name: spam
          description: Unsolicited offers and prize claims.
        - name: ham
      examples:
        - label: spam
          text: Win a free prize now, text WIN to 80000
        - label: ham
          text: See you at lunch tomorrow?
      """;

  private static JobSpec parse(String yaml) throws JobSpecException {
    return JobSpecLoader.parse(yaml, SOURCE);
  }

  private static JobSpecException failure(String yaml) {
    try {
      JobSpec spec = parse(yaml);
      throw new AssertionError("expected a JobSpecException, got " + spec);
    } catch (JobSpecException e) {
      assertThat(e.getMessage()).startsWith("job spec " + SOURCE);
      return e;
    }
  }

  @Test
  void minimalClassifySpecGetsDefaults() throws Exception {
    JobSpec spec = parse(MINIMAL_CLASSIFY);

    assertThat(spec.name()).isEqualTo("spam-check");
    assertThat(spec.task()).isEqualTo(TaskType.classify);
    assertThat(spec.idField()).isEqualTo("id");
    assertThat(spec.textField()).isEqualTo("text");
    assertThat(spec.goldField()).isNull();
    assertThat(spec.labelNames()).containsExactly("spam", "ham");
    assertThat(spec.labels().get(0).description()).isEqualTo("Unsolicited offers and prize claims.");
    assertThat(spec.labels().get(1).description()).isEmpty();
    assertThat(spec.examples())
        .containsExactly(
            new Example("Win a free prize now, text WIN to 80000", "spam"),
            new Example("See you at lunch tomorrow?", "ham"));
    assertThat(spec.local().model()).isEqualTo("e5-small-v2-q");
    assertThat(spec.local().adaptSample()).isEqualTo(2000);
    assertThat(spec.compute().usdPerCpuHour()).isEqualTo(0.05);
    assertThat(spec.summary().maxWords()).isEqualTo(60);
    assertThat(spec.summary().maxSentences()).isEqualTo(3);
  }

  @Test
  void fullSpecReadsEveryField() throws Exception {
    JobSpec spec =
        parse(
            """
            name: reviews_v2.1
            task: Classify
            id_field: review_id
            text_field: body
            gold_field: stars
            labels:
              - name: " positive "
                description: "  Likes it.  "
              - name: negative
              - name: mixed
            examples:
              - label: positive
                text: Great value, would buy again.
              - label: " negative"
                text: Broke after a week.
            summary:
              max_words: 25
              max_sentences: 1
            local:
              model: e5-small-v2-q
              adapt_sample: 0
            compute:
              usd_per_cpu_hour: 0.12
            """);

    assertThat(spec.name()).isEqualTo("reviews_v2.1");
    assertThat(spec.task()).isEqualTo(TaskType.classify);
    assertThat(spec.idField()).isEqualTo("review_id");
    assertThat(spec.textField()).isEqualTo("body");
    assertThat(spec.goldField()).isEqualTo("stars");
    assertThat(spec.labelNames()).containsExactly("positive", "negative", "mixed");
    assertThat(spec.labels().get(0).description()).isEqualTo("Likes it.");
    assertThat(spec.examples()).extracting(Example::label).containsExactly("positive", "negative");
    assertThat(spec.summary()).isEqualTo(new SummarySpec(25, 1));
    assertThat(spec.local()).isEqualTo(new LocalSpec("e5-small-v2-q", 0));
    assertThat(spec.compute().usdPerCpuHour()).isEqualTo(0.12);
  }

  @Test
  void sampleSpecLoads() throws Exception {
    Path sample = Path.of("..", "samples", "sms-spam", "sms-spam.yaml");
    if (!Files.exists(sample)) {
      return; // module built outside the repository
    }
    JobSpec spec = JobSpecLoader.load(sample);
    assertThat(spec.name()).isEqualTo("sms-spam");
    assertThat(spec.goldField()).isEqualTo("label");
    assertThat(spec.labelNames()).containsExactly("spam", "ham");
    assertThat(spec.examples()).hasSize(80);
    assertThat(spec.examples()).filteredOn(e -> e.label().equals("spam")).hasSize(40);
  }

  @Test
  void taskNameIsCaseInsensitiveAndAcceptsAmericanSpelling() throws Exception {
    assertThat(parse("name: a\ntask: summarize\n").task()).isEqualTo(TaskType.summarise);
    assertThat(parse("name: a\ntask: Summarise\n").task()).isEqualTo(TaskType.summarise);
    assertThat(parse("name: a\ntask: SUMMARIZE\n").task()).isEqualTo(TaskType.summarise);
    assertThat(parse(MINIMAL_CLASSIFY.replace("task: classify", "task: Classify")).task())
        .isEqualTo(TaskType.classify);
  }

  @Test
  void summariseSpecNeedsNoLabels() throws Exception {
    JobSpec spec = parse("name: news\ntask: summarise\nsummary:\n  max_words: 40\n");
    assertThat(spec.labels()).isEmpty();
    assertThat(spec.examples()).isEmpty();
    assertThat(spec.summary().maxWords()).isEqualTo(40);
    assertThat(spec.summary().maxSentences()).isEqualTo(3);
  }

  @Test
  void unknownTopLevelFieldNamesLineFieldAndKnownFields() {
    String yaml = MINIMAL_CLASSIFY.replace("labels:", "lables:");
    JobSpecException e = failure(yaml);
    assertThat(e.getMessage())
        .contains(SOURCE)
        .contains("line 3,")
        .contains("unknown field 'lables'")
        .contains("known fields")
        .contains("labels")
        .contains("examples")
        .contains("id_field")
        .contains("gold_field");
  }

  @Test
  void unknownNestedFieldNamesItsPath() {
    String yaml = MINIMAL_CLASSIFY.replace("    description: Unsolicited", "    colour: red\n    description: Unsolicited");
    JobSpecException e = failure(yaml);
    assertThat(e.getMessage())
        .contains("line 5,")
        .contains("'labels[0].colour'")
        .contains("known fields")
        .contains("name")
        .contains("description");
  }

  @Test
  void unknownFieldInLocalSection() {
    JobSpecException e = failure(MINIMAL_CLASSIFY + "local:\n  adapt_samples: 10\n");
    assertThat(e.getMessage()).contains("'local.adapt_samples'").contains("adapt_sample").contains("line 13,");
  }

  @Test
  void unknownFieldInAListedExampleIsFoundEvenWhenValidationWouldFailToo() {
    // 'lable' is a typo; binding alone would report the missing label of examples[1] instead.
    String yaml = MINIMAL_CLASSIFY.replace("  - label: ham", "  - lable: ham");
    JobSpecException e = failure(yaml);
    assertThat(e.getMessage()).contains("line 10,").contains("unknown field 'examples[1].lable'").contains("label, text");
  }

  @Test
  void labelsGivenAsPlainStringsAreAnErrorNotAHang() {
    JobSpecException e = failure("name: a\ntask: classify\nlabels: [spam, ham]\n");
    assertThat(e.getMessage()).contains("labels");
  }

  @Test
  void exampleWithUndeclaredLabel() {
    String yaml = MINIMAL_CLASSIFY.replace("  - label: ham", "  - label: eggs");
    JobSpecException e = failure(yaml);
    assertThat(e.getMessage())
        .contains("examples[1].label")
        .contains("'eggs'")
        .contains("declared: spam, ham");
  }

  @Test
  void duplicateLabel() {
    String yaml = MINIMAL_CLASSIFY.replace("  - name: ham", "  - name: spam");
    JobSpecException e = failure(yaml);
    assertThat(e.getMessage()).contains("'labels'").contains("'spam'").contains("declared twice");
  }

  @Test
  void classifyNeedsTwoLabels() {
    JobSpecException one =
        failure("name: a\ntask: classify\nlabels:\n  - name: spam\n");
    assertThat(one.getMessage()).contains("at least 2 labels").contains("got 1");
    JobSpecException none = failure("name: a\ntask: classify\n");
    assertThat(none.getMessage()).contains("at least 2 labels").contains("got 0");
  }

  @Test
  void goldFieldOnlyForClassify() {
    JobSpecException e = failure("name: a\ntask: summarise\ngold_field: label\n");
    assertThat(e.getMessage()).contains("gold_field").contains("classify");
  }

  @Test
  void idAndTextFieldMustDiffer() {
    JobSpecException e = failure("name: a\ntask: summarise\nid_field: body\ntext_field: body\n");
    assertThat(e.getMessage()).contains("id_field").contains("text_field").contains("'body'");
  }

  @Test
  void badNameCharacters() {
    JobSpecException e = failure(MINIMAL_CLASSIFY.replace("name: spam-check", "name: spam check/v1"));
    assertThat(e.getMessage()).contains("'name'").contains("'spam check/v1'");
    assertThat(failure(MINIMAL_CLASSIFY.replace("name: spam-check", "name: -leading")).getMessage())
        .contains("'name'");
    assertThat(failure(MINIMAL_CLASSIFY.replace("name: spam-check", "name: " + "x".repeat(101))).getMessage())
        .contains("1-100");
  }

  @Test
  void missingNameOrTask() {
    assertThat(failure("task: summarise\n").getMessage()).contains("'name' is required");
    assertThat(failure("name: a\n").getMessage()).contains("'task' is required");
  }

  @Test
  void emptyFile() {
    assertThat(failure("").getMessage()).contains("empty");
    assertThat(failure("# only a comment\n").getMessage()).contains("empty");
  }

  @Test
  void notYamlOrNotAMapping() {
    assertThat(failure("- name: a\n- task: classify\n").getMessage()).contains("mapping");
    assertThat(failure("just a sentence\n").getMessage()).contains("mapping");
    JobSpecException broken = failure("name: a\ntask: [classify\n");
    assertThat(broken.getMessage()).contains("not valid YAML");
  }

  @Test
  void unknownTaskListsKnownTasks() {
    JobSpecException e = failure("name: a\ntask: translate\n");
    assertThat(e.getMessage())
        .contains("line 2,")
        .contains("'task'")
        .contains("unknown task 'translate'")
        .contains("classify")
        .contains("summarise");
  }

  @Test
  void adaptSampleOutOfRange() {
    JobSpecException negative = failure(MINIMAL_CLASSIFY + "local:\n  adapt_sample: -1\n");
    assertThat(negative.getMessage()).contains("local.adapt_sample").contains("got -1");
    JobSpecException huge = failure(MINIMAL_CLASSIFY + "local:\n  adapt_sample: 20001\n");
    assertThat(huge.getMessage()).contains("local.adapt_sample").contains("20000");
  }

  @Test
  void badSummaryAndComputeValues() {
    assertThat(failure("name: a\ntask: summarise\nsummary:\n  max_words: 0\n").getMessage())
        .contains("summary.max_words");
    assertThat(failure("name: a\ntask: summarise\nsummary:\n  max_sentences: 0\n").getMessage())
        .contains("summary.max_sentences");
    assertThat(failure("name: a\ntask: summarise\ncompute:\n  usd_per_cpu_hour: -0.01\n").getMessage())
        .contains("compute.usd_per_cpu_hour");
    assertThat(failure("name: a\ntask: summarise\nsummary:\n  max_words: many\n").getMessage())
        .contains("summary.max_words")
        .contains("line 4,");
  }

  @Test
  void exampleNeedsText() {
    String yaml = MINIMAL_CLASSIFY.replace("text: See you at lunch tomorrow?", "text: \"  \"");
    assertThat(failure(yaml).getMessage()).contains("non-empty 'text'");
  }

  @Test
  void loadReadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, MINIMAL_CLASSIFY);
    assertThat(JobSpecLoader.load(good).name()).isEqualTo("spam-check");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, MINIMAL_CLASSIFY.replace("labels:", "lables:"));
    assertThatThrownBy(() -> JobSpecLoader.load(bad))
        .isInstanceOf(JobSpecException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("lables");
  }

  @Test
  void loadMissingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> JobSpecLoader.load(missing))
        .isInstanceOf(JobSpecException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("no such file");
  }
}
