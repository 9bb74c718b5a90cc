package dev.flashline.beam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.SharedEncoder;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

class LabelDocumentsTest {
  private static final String MODEL = "e5-small-v2-q";

  private static final List<String> SPAM_EXAMPLES =
      List.of(
          "WINNER! You have won a 1000 pound cash prize. Call 09061701461 now to claim.",
          "FREE entry into our weekly competition, text WIN to 80086 to receive your reward.",
          "Urgent! Your mobile number has been awarded a bonus. Call 09050000327 to claim.",
          "Congratulations, you have been selected for a free holiday! Reply YES to 87121.",
          "Get the latest ringtones FREE! Txt TONE to 85069, 150p per message.",
          "Your account has 500 unredeemed bonus points. To claim call 08719180248 now.");
  private static final List<String> HAM_EXAMPLES =
      List.of(
          "Are we still meeting for lunch tomorrow?",
          "Sorry, I'll call you later, I'm in a meeting.",
          "Can you pick up some milk on your way home?",
          "Happy birthday! Hope you have a lovely day with the family.",
          "I'm running ten minutes late, save me a seat.",
          "Did you watch the match last night? What a finish!");

  private static final List<String> SPAM_NEW =
      List.of(
          "You have won a brand new mobile phone! Call 09064019788 to claim your prize today.",
          "Claim your free 200 pound shopping voucher now, text VOUCHER to 88800.",
          "URGENT: your prize draw entry is confirmed. Call 09058094455 from a landline.",
          "Free msg: get 2 months of unlimited texts for free, reply START to 81010.",
          "Exclusive offer! Win a trip to Ibiza, text IBIZA to 85555 now. Cost 1.50/msg.",
          "You are our lucky winner of a 500 pound gift card. Call 0871 277 810 to collect.",
          "Double your minutes for free this month, call 08000930705 today.",
          "Congratulations! Your number won the weekly jackpot. Send CLAIM to 80062.",
          "Txt MUSIC to 87066 for a chance to win 100 pounds of music vouchers every week.",
          "Final notice: collect your cash award by calling 09066362231 before midnight.",
          "Hot singles in your area want to chat! Reply DATE to 69888, 150p/msg.",
          "Your free camera phone is waiting, call 09061790121 to arrange delivery.",
          "Win a new car! Just text DRIVE to 84025, T&Cs apply.",
          "Special offer: free ringtone and wallpaper pack, reply GO to 80878.");
  private static final List<String> HAM_NEW =
      List.of(
          "Ok, see you at the station at six.",
          "Mum says dinner is at seven, don't be late.",
          "Thanks for helping me move yesterday, you're a star.",
          "I left my keys at your place, can I come by later?",
          "What time does the film start tonight?",
          "Feeling much better today, thanks for asking.",
          "Let's go for a walk in the park this afternoon.",
          "Did you finish the homework for tomorrow's class?",
          "I'll bring the cake if you bring the drinks.",
          "Call me when you get home safely.",
          "The meeting got moved to Thursday morning.",
          "Haha that's so funny, I can't stop laughing.",
          "Can we reschedule our coffee to next week?",
          "Good luck with your exam today, you'll do great.");

  private static String job(String task, String extra) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("name: test-job\ntask: ").append(task).append('\n').append(extra);
    if (task.equals("classify")) {
      yaml.append(
          """
          gold_field: label
          labels:
            - name: spam
              description: Unsolicited commercial or fraudulent text message - prize claims, free offers, premium-rate numbers.
            - name: ham
              description: An ordinary personal text message between people who know each other.
          examples:
          """);
      for (int i = 0; i < SPAM_EXAMPLES.size(); i++) {
        appendExample(yaml, "spam", SPAM_EXAMPLES.get(i));
        appendExample(yaml, "ham", HAM_EXAMPLES.get(i));
      }
    }
    return yaml.toString();
  }

  private static void appendExample(StringBuilder yaml, String label, String text) {
    yaml.append("  - label: ").append(label).append("\n    text: \"").append(text.replace("\"", "\\\"")).append("\"\n");
  }

  private static Document document(String id, String text, String gold) {
    return Document.newBuilder().setId(id).setText(text).setGoldLabel(gold).setSource("test.jsonl:" + id).build();
  }

  /** 40 documents: 28 new texts and 12 copies of examples, 4 of them with different whitespace. */
  private static List<Document> documents(Set<String> exampleIds) {
    List<Document> documents = new ArrayList<>();
    for (int i = 0; i < SPAM_NEW.size(); i++) {
      documents.add(document("spam-" + i, SPAM_NEW.get(i), "spam"));
      documents.add(document("ham-" + i, HAM_NEW.get(i), "ham"));
    }
    for (int i = 0; i < SPAM_EXAMPLES.size(); i++) {
      String spam = SPAM_EXAMPLES.get(i);
      String ham = HAM_EXAMPLES.get(i);
      if (i % 3 == 0) {
        spam = "  " + spam.replace(" ", "   ") + "\n";
        ham = ham.replace(" ", "\t") + " ";
      }
      documents.add(document("spam-example-" + i, spam, "spam"));
      documents.add(document("ham-example-" + i, ham, "ham"));
      exampleIds.add("spam-example-" + i);
      exampleIds.add("ham-example-" + i);
    }
    // Close to an example but not one: a longer text that contains it.
    documents.add(document("contains-example", HAM_EXAMPLES.get(0) + " I can do one o'clock.", "ham"));
    return documents;
  }

  @Test
  void classifyJobLabelsEveryDocumentOnce() throws Exception {
    JobSpec job = JobSpecLoader.parse(job("classify", ""), "test");
    Set<String> exampleIds = new HashSet<>();
    List<Document> input = documents(exampleIds);
    Map<String, String> gold = new HashMap<>();
    input.forEach(d -> gold.put(d.getId(), d.getGoldLabel()));
    int referencesBefore = SharedEncoder.references(MODEL);

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Document> documents = p.apply(Create.of(input).withCoder(AvroCoder.of(Document.class)));
    PCollectionTuple out = documents.apply(LabelDocuments.of(job));
    HashSet<String> examples = new HashSet<>(exampleIds);
    HashMap<String, String> golds = new HashMap<>(gold);
    PAssert.that(out.get(LabelDocuments.RECORDS))
        .satisfies(
            records -> {
              checkClassified(records, golds, examples);
              return null;
            });
    PAssert.that(out.get(LabelDocuments.FIT_REPORTS))
        .satisfies(
            reports -> {
              List<FewShotClassifier.FitReport> all = new ArrayList<>();
              reports.forEach(all::add);
              assertThat(all).hasSize(1);
              FewShotClassifier.FitReport report = all.get(0);
              assertThat(report.examples()).isEqualTo(12);
              assertThat(report.calibrated()).isTrue();
              // The whole input is the adaptation sample (adapt_sample 2000 > 41 records).
              assertThat(report.sampleSize()).isEqualTo(41);
              return null;
            });

    PipelineResult.State state = p.run().waitUntilFinish();
    assertThat(state).isEqualTo(PipelineResult.State.DONE);
    assertThat(SharedEncoder.references(MODEL)).as("leases left open by the DoFns").isEqualTo(referencesBefore);
  }

  private static void checkClassified(
      Iterable<LabelledRecord> records, Map<String, String> gold, Set<String> exampleIds) {
    List<LabelledRecord> rows = new ArrayList<>();
    records.forEach(rows::add);
    assertThat(rows).extracting(r -> r.getId().toString()).containsExactlyInAnyOrderElementsOf(gold.keySet());
    int right = 0;
    for (LabelledRecord row : rows) {
      String id = row.getId().toString();
      assertThat(row.getStatus()).as(id).isEqualTo(Status.ok);
      assertThat(row.getError()).isNull();
      assertThat(row.getTask()).isEqualTo(TaskType.classify);
      assertThat(row.getLabel().toString()).isIn("spam", "ham");
      assertThat(row.getConfidence()).isBetween(0.0, 1.0);
      assertThat(row.getBackend().toString()).isEqualTo("local");
      assertThat(row.getModel().toString()).isEqualTo(MODEL);
      assertThat(row.getCostUsd()).isPositive();
      assertThat(row.getComputeSeconds()).isPositive();
      assertThat(row.getCostUsd()).isCloseTo(row.getComputeSeconds() * 0.05 / 3600, within(1e-15));
      assertThat(row.getPriceSchedule().toString()).startsWith("cpu-hour@").isEqualTo("cpu-hour@0.05usd");
      assertThat(row.getInputTokens()).isPositive();
      assertThat(row.getSummary()).isNull();
      assertThat(row.getGoldLabel().toString()).isEqualTo(gold.get(id));
      assertThat(row.getIsExample()).as("is_example of %s", id).isEqualTo(exampleIds.contains(id));
      if (row.getLabel().toString().equals(gold.get(id))) {
        right++;
      }
    }
    // A sanity check on the model, not a benchmark: short, clear-cut texts.
    assertThat(right).isGreaterThanOrEqualTo(34);
  }

  @Test
  void adaptationCanBeTurnedOff() {
    JobSpec job;
    try {
      job = JobSpecLoader.parse(job("classify", "local:\n  adapt_sample: 0\ncompute:\n  usd_per_cpu_hour: 0.5\n"), "test");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    List<Document> input = documents(new HashSet<>()).subList(0, 10);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out =
        p.apply(Create.of(input).withCoder(AvroCoder.of(Document.class))).apply(LabelDocuments.of(job));
    PAssert.that(out.get(LabelDocuments.FIT_REPORTS))
        .satisfies(
            reports -> {
              List<FewShotClassifier.FitReport> all = new ArrayList<>();
              reports.forEach(all::add);
              assertThat(all).hasSize(1);
              assertThat(all.get(0).sampleSize()).isZero();
              assertThat(all.get(0).dataPrior()).isNull();
              return null;
            });
    PAssert.that(out.get(LabelDocuments.RECORDS))
        .satisfies(
            records -> {
              int n = 0;
              for (LabelledRecord row : records) {
                n++;
                assertThat(row.getPriceSchedule().toString()).isEqualTo("cpu-hour@0.5usd");
                assertThat(row.getCostUsd()).isCloseTo(row.getComputeSeconds() * 0.5 / 3600, within(1e-15));
              }
              assertThat(n).isEqualTo(10);
              return null;
            });
    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  void summariseJobSummarisesEveryDocument() throws Exception {
    JobSpec job = JobSpecLoader.parse(job("summarize", "summary:\n  max_words: 20\n  max_sentences: 2\n"), "test");
    List<Document> input = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      input.add(
          document(
              "news-" + i,
              "The city council met on day " + i + " to discuss the transport budget. "
                  + "Forty new electric buses were approved for the northern routes. "
                  + "Fares will not change for two years, the mayor said. "
                  + "Some councillors wanted the money spent on road repairs instead. "
                  + "The weather was sunny.",
              null));
    }
    input.add(document("short", "Meeting moved to Friday.", null));
    int referencesBefore = SharedEncoder.references(MODEL);

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out =
        p.apply(Create.of(input).withCoder(AvroCoder.of(Document.class))).apply(LabelDocuments.of(job));
    // (PAssert's empty() needs Hamcrest, which is not on the test classpath.)
    PAssert.that(out.get(LabelDocuments.FIT_REPORTS))
        .satisfies(
            reports -> {
              assertThat(reports).isEmpty();
              return null;
            });
    PAssert.that(out.get(LabelDocuments.RECORDS))
        .satisfies(
            records -> {
              List<LabelledRecord> rows = new ArrayList<>();
              records.forEach(rows::add);
              assertThat(rows).hasSize(7);
              assertThat(rows).extracting(r -> r.getId().toString()).doesNotHaveDuplicates();
              for (LabelledRecord row : rows) {
                assertThat(row.getStatus()).isEqualTo(Status.ok);
                assertThat(row.getTask()).isEqualTo(TaskType.summarise);
                assertThat(row.getSummary()).isNotNull();
                assertThat(row.getLabel()).isNull();
                assertThat(row.getConfidence()).isNull();
                assertThat(row.getBackend().toString()).isEqualTo("local");
                assertThat(row.getModel().toString()).isEqualTo(MODEL);
                assertThat(row.getPriceSchedule().toString()).startsWith("cpu-hour@");
                String summary = row.getSummary().toString();
                assertThat(summary.split("\\s+").length).isLessThanOrEqualTo(20);
                if (row.getId().toString().equals("short")) {
                  assertThat(summary).isEqualTo("Meeting moved to Friday.");
                  assertThat(row.getInputTokens()).isZero();
                } else {
                  assertThat(row.getInputTokens()).isPositive();
                  assertThat(row.getComputeSeconds()).isPositive();
                  assertThat(row.getCostUsd()).isPositive();
                }
              }
              return null;
            });
    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    assertThat(SharedEncoder.references(MODEL)).isEqualTo(referencesBefore);
  }

  @Test
  void aJobOfTwoLocalTasksWritesOneRowPerRecordAndTaskWithEachTasksGold() throws Exception {
    StringBuilder yaml = new StringBuilder("""
        name: two-tasks
        tasks:
          - name: spam
            task: classify
            gold_field: label
            labels:
              - {name: spam, description: "Unsolicited commercial or fraudulent text message - prize claims, free offers."}
              - {name: ham, description: "An ordinary personal text message between people who know each other."}
            examples:
        """);
    for (int i = 0; i < SPAM_EXAMPLES.size(); i++) {
      yaml.append("      - {label: spam, text: \"").append(SPAM_EXAMPLES.get(i)).append("\"}\n");
      yaml.append("      - {label: ham, text: \"").append(HAM_EXAMPLES.get(i)).append("\"}\n");
    }
    yaml.append("""
          - name: gist
            task: summarise
            summary: {max_words: 8, max_sentences: 1}
        """);
    JobSpec job = JobSpecLoader.parse(yaml.toString(), "test");
    List<Document> input = new ArrayList<>();
    for (int i = 0; i < SPAM_NEW.size(); i++) {
      // The reader keeps each task's gold value in the metadata of a job of several tasks.
      input.add(Document.newBuilder(document("spam-" + i, SPAM_NEW.get(i), null))
          .setMetadata(Map.of(TaskGoldFn.metadataKey("spam"), "spam")).build());
      input.add(Document.newBuilder(document("ham-" + i, HAM_NEW.get(i), null))
          .setMetadata(Map.of(TaskGoldFn.metadataKey("spam"), "ham")).build());
    }

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(AvroCoder.of(Document.class))).apply(LabelDocuments.of(job));
    int records = input.size();
    PAssert.that(out.get(LabelDocuments.RECORDS))
        .satisfies(
            rows -> {
              List<LabelledRecord> all = new ArrayList<>();
              rows.forEach(all::add);
              assertThat(all).hasSize(2 * records);
              Set<String> seen = new HashSet<>();
              int right = 0;
              for (LabelledRecord row : all) {
                assertThat(seen.add(row.getTaskName() + "/" + row.getId())).isTrue();
                assertThat(row.getStatus()).isEqualTo(Status.ok);
                if (row.getTaskName().equals("spam")) {
                  assertThat(row.getTask()).isEqualTo(TaskType.classify);
                  assertThat(row.getGoldLabel()).isEqualTo(row.getId().startsWith("spam") ? "spam" : "ham");
                  right += row.getLabel().equals(row.getGoldLabel()) ? 1 : 0;
                } else {
                  assertThat(row.getTaskName()).isEqualTo("gist");
                  assertThat(row.getTask()).isEqualTo(TaskType.summarise);
                  assertThat(row.getSummary()).isNotBlank();
                  assertThat(row.getGoldLabel()).isNull();
                }
              }
              assertThat(right).as("spam task accuracy").isGreaterThanOrEqualTo(records * 8 / 10);
              return null;
            });

    assertThat(p.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }
}
