package dev.flashline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.beam.JobProgress;
import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import dev.flashline.schema.TaskType;
import dev.flashline.task.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadDocumentsTest {

  @TempDir Path dir;

  private final JobSpec job = IoFixtures.job();

  @Test
  void goodRecordsBecomeDocumentsAndBadOnesFailedRowsAndDeadLetters() throws Exception {
    Files.writeString(
        dir.resolve("good.jsonl"),
        "{\"doc_id\":\"j1\",\"body\":\"hello\",\"truth\":\"a\"}\n"
            + "{\"doc_id\":2,\"body\":\"world\"}\n"
            + "\n"
            + "{\"doc_id\":\"j3\",\"body\":\"again\",\"truth\":\" \"}\n");
    Path csv =
        Files.writeString(
            dir.resolve("data.csv"),
            "doc_id,body,truth\n"
                + "c1,\"first, csv\",a\n"
                + "c2,broken\"quote,b\n"
                + "c3,,a\n"
                + ",no id,b\n"
                + "c5,\"multi\nline\",b\n");
    IoFixtures.writeParquet(
        dir.resolve("rows.parquet"),
        IoFixtures.DOC_SCHEMA,
        List.of(IoFixtures.doc("p1", "from parquet", "b"), IoFixtures.doc("p2", "second", null)));
    String csvPath = csv.toAbsolutePath().normalize().toString();
    String runId = "read-documents-test-" + UUID.randomUUID();
    String model = job.local().model();

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple read =
        p.apply(ReadDocuments.from(InputFiles.resolve(dir, job), job, runId).withWorkers(2));

    PAssert.that(read.get(ReadDocuments.DOCUMENTS))
        .satisfies(
            documents -> {
              List<Document> sorted = sorted(documents, Document::getId);
              assertThat(sorted)
                  .extracting(d -> line(d.getId(), d.getSource(), d.getText(), d.getGoldLabel()))
                  .containsExactly(
                      line("2", "good.jsonl line 2", "world", null),
                      line("c1", "data.csv line 2", "first, csv", "a"),
                      line("c5", "data.csv line 6", "multi\nline", "b"),
                      line("j1", "good.jsonl line 1", "hello", "a"),
                      line("j3", "good.jsonl line 4", "again", null),
                      line("p1", "rows.parquet row 1", "from parquet", "b"),
                      line("p2", "rows.parquet row 2", "second", null));
              return null;
            });
    PAssert.that(read.get(ReadDocuments.FAILED))
        .satisfies(
            failed -> {
              List<LabelledRecord> sorted = sorted(failed, LabelledRecord::getError);
              assertThat(sorted)
                  .extracting(r -> line(r.getId(), r.getError()))
                  .containsExactly(
                      line("data.csv line 3",
                          "data.csv line 3: column 2 (\"body\"): quote inside unquoted field"
                              + " (quote the whole field and double inner quotes)"),
                      line("data.csv line 5", "data.csv line 5: field 'doc_id' is empty"),
                      line("c3", "record 'c3' (data.csv line 4): field 'body' is empty"));
              assertThat(sorted).allSatisfy(record -> {
                assertThat(record.getStatus()).isEqualTo(Status.failed);
                assertThat(record.getTask()).isEqualTo(TaskType.classify);
                assertThat(record.getBackend()).isEqualTo("local");
                assertThat(record.getModel()).isEqualTo(model);
                assertThat(record.getLabel()).isNull();
                assertThat(record.getCostUsd()).isZero();
              });
              return null;
            });
    PAssert.that(read.get(ReadDocuments.DEAD_LETTERS))
        .satisfies(
            letters -> {
              List<DeadLetter> sorted = sorted(letters, DeadLetter::getLocation);
              assertThat(sorted)
                  .extracting(d -> line(d.getLocation(), d.getRecordId(), d.getPayload()))
                  .containsExactly(
                      line("line 3", null, "c2,broken\"quote,b"),
                      line("line 4", "c3", "c3,,a"),
                      line("line 5", null, ",no id,b"));
              assertThat(sorted).allSatisfy(letter -> {
                assertThat(letter.getJob()).isEqualTo("test-job");
                assertThat(letter.getSource()).isEqualTo(csvPath);
              });
              assertThat(sorted.get(1).getReason()).isEqualTo("record 'c3' (data.csv line 4): field 'body' is empty");
              return null;
            });

    p.run().waitUntilFinish();
    assertThat(JobProgress.done(runId)).as("failed records count as done").isEqualTo(3);
    JobProgress.forget(runId);
  }

  @Test
  void unreadableRecordsOfEveryFormatAreReported() throws Exception {
    Files.writeString(
        dir.resolve("a.jsonl"),
        "\uFEFF{\"doc_id\":\"ok\",\"body\":\"fine\"}\nnot json\n[1]\n{\"doc_id\":\"n\",\"body\":{\"x\":1}}\n");
    Path parquet =
        IoFixtures.writeParquet(
            dir.resolve("b.parquet"), IoFixtures.DOC_SCHEMA, List.of(IoFixtures.doc("p1", "t", null)));
    InputFiles input = InputFiles.resolve(dir, job);
    // Broken after the check, e.g. still being written: the file's rows are lost, with one failure.
    byte[] bytes = Files.readAllBytes(parquet);
    Files.write(parquet, java.util.Arrays.copyOf(bytes, bytes.length - 8));

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple read = p.apply(ReadDocuments.from(input, job, "run-" + UUID.randomUUID()));

    PAssert.that(read.get(ReadDocuments.DOCUMENTS))
        .satisfies(documents -> {
          assertThat(documents).extracting(Document::getId).containsExactly("ok");
          return null;
        });
    PAssert.that(read.get(ReadDocuments.FAILED))
        .satisfies(failed -> {
          assertThat(sorted(failed, LabelledRecord::getId))
              .extracting(LabelledRecord::getId)
              .containsExactly("a.jsonl line 2", "a.jsonl line 3", "b.parquet row 1", "n");
          assertThat(failed)
              .extracting(LabelledRecord::getError)
              .anySatisfy(e -> assertThat(e).startsWith("a.jsonl line 2: not valid JSON"))
              .anySatisfy(e -> assertThat(e).isEqualTo("a.jsonl line 3: expected a JSON object, got array"))
              .anySatisfy(e -> assertThat(e).startsWith("b.parquet row 1: unreadable Parquet"))
              .anySatisfy(e -> assertThat(e).isEqualTo("record 'n' (a.jsonl line 4): field 'body' must be a string"));
          return null;
        });
    PAssert.that(read.get(ReadDocuments.DEAD_LETTERS))
        .satisfies(letters -> {
          assertThat(sorted(letters, DeadLetter::getReason))
              .extracting(d -> line(d.getLocation(), d.getRecordId(), d.getPayload()))
              .containsExactly(
                  line("line 2", null, "not json"),
                  line("line 3", null, "[1]"),
                  line("row 1", null, null),
                  line("line 4", "n", "{\"doc_id\":\"n\",\"body\":{\"x\":1}}"));
          return null;
        });

    p.run().waitUntilFinish();
  }

  @Test
  void workersMustBePositive() throws Exception {
    Path file = Files.writeString(dir.resolve("a.jsonl"), "{\"doc_id\":\"a\",\"body\":\"b\"}\n");
    ReadDocuments read = ReadDocuments.from(InputFiles.resolve(file, job), job, "run");
    assertThatThrownBy(() -> read.withWorkers(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
  }

  /** One record's fields as text: PAssert ships failures between threads, so they must serialize. */
  private static String line(Object... values) {
    return java.util.Arrays.stream(values).map(String::valueOf).collect(java.util.stream.Collectors.joining(" | "));
  }

  private static <T> List<T> sorted(Iterable<T> items, java.util.function.Function<T, String> key) {
    List<T> list = new ArrayList<>();
    items.forEach(list::add);
    list.sort(Comparator.comparing(key));
    return list;
  }
}
