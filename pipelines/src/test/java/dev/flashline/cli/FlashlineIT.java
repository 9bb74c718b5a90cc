package dev.flashline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.pipeline.Outputs;
import dev.flashline.pipeline.Samples;
import dev.flashline.report.CostReport;
import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract of {@code flashline label}: outputs, exit codes, error messages. */
class FlashlineIT {
  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int flashline(String... args) {
    return Flashline.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static final String SPAM_JOB =
      """
      name: tiny-spam
      task: classify
      gold_field: label
      labels:
        - name: spam
          description: unsolicited advertising or a scam
        - name: ham
          description: an ordinary personal message
      examples:
        - {text: "WINNER!! You have won a 1000 pound prize. Call 09061701461 to claim now", label: spam}
        - {text: "FREE entry to our weekly competition, text WIN to 80086", label: spam}
        - {text: "URGENT! Your mobile number has been awarded a bonus. Call 0800 now", label: spam}
        - {text: "Are you coming to dinner tonight?", label: ham}
        - {text: "I'll be home late, don't wait up", label: ham}
        - {text: "Can you pick up some milk on the way back?", label: ham}
      """;

  @Test
  void badRecordsBecomeFailedRowsAndDeadLettersAndTheRestIsLabelled() throws Exception {
    Path job = write("job.yaml", SPAM_JOB);
    Path input = Files.createDirectories(temp.resolve("in"));
    Files.writeString(
        input.resolve("a.jsonl"),
        """
        {"id": "j1", "text": "Congratulations! You won a free cruise, call now to claim", "label": "spam"}
        {"id": "j2", "text": "see you at the station at 6", "label": "ham"}
        {"id": "j3", "text": "unterminated
        {"id": "j4", "text": "   ", "label": "ham"}
        {"id": "j5"}
        """);
    Files.writeString(
        input.resolve("b.csv"),
        """
        id,text,label
        c1,"Want to grab lunch tomorrow?",ham
        c2,"broken "quoting" here",ham
        c3,"You have been selected for a cash prize, reply YES",spam
        """);

    int code = flashline("label", "--job", job.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(), "--no-progress");

    assertThat(code).as(err.toString()).isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows).hasSize(8);
    assertThat(rows.keySet()).contains("j1", "j2", "j4", "j5", "c1", "c3", "a.jsonl line 3", "b.csv line 3");
    assertThat(List.of("j1", "j2", "c1", "c3")).allSatisfy(id -> assertThat(rows.get(id).getStatus()).isEqualTo(Status.ok));
    assertThat(rows.get("a.jsonl line 3").getError()).contains("a.jsonl line 3", "not valid JSON");
    assertThat(rows.get("j4").getError()).contains("record 'j4'", "a.jsonl line 4", "field 'text' is empty");
    assertThat(rows.get("j5").getError()).contains("record 'j5'", "field 'text' is missing");
    assertThat(rows.get("b.csv line 3").getError()).contains("b.csv", "line 3", "column 2", "\"text\"");
    assertThat(rows.values().stream().filter(r -> r.getStatus() == Status.failed)).hasSize(4)
        .allSatisfy(r -> assertThat(r.getCostUsd()).isZero());

    List<DeadLetter> dead = Outputs.deadLetters(temp.resolve("out"));
    assertThat(dead).hasSize(4);
    assertThat(dead).anySatisfy(d -> {
      assertThat(d.getLocation()).isEqualTo("line 3");
      assertThat(d.getPayload()).isEqualTo("{\"id\": \"j3\", \"text\": \"unterminated");
      assertThat(d.getJob()).isEqualTo("tiny-spam");
    });

    CostReport report = CostReport.read(temp.resolve("out").resolve("cost-report.json"));
    assertThat(report.records()).isEqualTo(8);
    assertThat(report.ok()).isEqualTo(4);
    assertThat(report.failed()).isEqualTo(4);
    assertThat(report.errorSamples()).hasSize(4);
    assertThat(out.toString()).contains("records   8", "failed 4", "quality", "cost", "records/s");
  }

  @Test
  void specErrorsStopBeforeAnyWorkWithExitCode2() throws Exception {
    Path input = Samples.head(temp, 5);
    Path output = temp.resolve("never");

    Path typo = write("typo.yaml", SPAM_JOB.replace("labels:", "lables:"));
    assertThat(flashline("label", "--job", typo.toString(), "--input", input.toString(), "--output", output.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("typo.yaml", "line 4", "unknown field 'lables'");

    Path undeclared = write("undeclared.yaml", SPAM_JOB.replace("label: ham}", "label: hamm}"));
    assertThat(flashline("label", "--job", undeclared.toString(), "--input", input.toString(), "--output", output.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("label 'hamm' is not declared");

    assertThat(flashline("label", "--job", write("ok.yaml", SPAM_JOB).toString(), "--input", temp.resolve("missing.jsonl").toString(), "--output", output.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("missing.jsonl: no such file or directory");

    Path csv = write("no-text.csv", "id,body\n1,hello\n");
    assertThat(flashline("label", "--job", write("ok2.yaml", SPAM_JOB).toString(), "--input", csv.toString(), "--output", output.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no column 'text'", "columns: id, body");

    assertThat(flashline("label", "--job", typo.toString(), "--input", input.toString(), "--output", output.toString(), "--runner", "spark")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown runner 'spark'");

    assertThat(output).doesNotExist();
  }

  @Test
  void summariseJobWritesSummariesWithinBudget() throws Exception {
    Path job =
        write(
            "summarise.yaml",
            """
            name: digest
            task: summarise
            summary: {max_words: 25, max_sentences: 2}
            """);
    Path input =
        write(
            "tickets.jsonl",
            """
            {"id": "t1", "text": "My order arrived damaged. The box was crushed and the screen is cracked. I would like a replacement or a refund. I have attached photos of the damage. Please reply quickly because I need the device for work."}
            {"id": "t2", "text": "Thanks, all good now."}
            """);
    assertThat(flashline("label", "--job", job.toString(), "--input", input.toString(), "--output", temp.resolve("out").toString(), "--no-progress"))
        .as(err.toString())
        .isZero();
    Map<String, LabelledRecord> rows = Outputs.labels(temp.resolve("out"));
    assertThat(rows.get("t2").getSummary()).isEqualTo("Thanks, all good now.");
    String summary = rows.get("t1").getSummary();
    assertThat(summary.split("\\s+")).hasSizeLessThanOrEqualTo(25);
    assertThat(summary).isNotBlank();
    assertThat(rows.get("t1").getLabel()).isNull();
    assertThat(rows.get("t1").getCostUsd()).isPositive();
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(temp.resolve(name), content);
  }
}
