package dev.flashline.pipeline;

import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The bundled SMS sample, as the tests use it (paths relative to the pipelines module). */
public final class Samples {
  public static final Path DIR = Path.of("..", "samples", "sms-spam");
  public static final Path JOB = DIR.resolve("sms-spam.yaml");
  public static final Path JSONL = DIR.resolve("sms-spam.jsonl");
  public static final Path PARQUET = DIR.resolve("sms-spam.parquet");

  private Samples() {}

  public static JobSpec job() {
    try {
      return JobSpecLoader.load(JOB);
    } catch (JobSpecException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The sample's spam/ham classification against an OpenAI-compatible endpoint, as YAML; callers
   * append further top-level sections ({@code gold_field}, {@code cost}).
   *
   * @param apiKeyFile null for none
   */
  public static String spamHamOpenAiJob(String name, String endpoint, Path apiKeyFile) {
    return """
        name: %s
        task: classify
        labels:
          - name: spam
            description: unsolicited advertising or a scam
          - name: ham
            description: an ordinary personal message
        backend: openai
        openai:
          endpoint: %s
          model: deepseek-v4-flash
          max_in_flight: 16
        """.formatted(name, endpoint) + (apiKeyFile == null ? "" : "  api_key_file: " + apiKeyFile + "\n");
  }

  /** The first {@code records} lines of the JSONL sample, as a new file in {@code dir}. */
  public static Path head(Path dir, int records) throws IOException {
    List<String> lines = Files.readAllLines(JSONL).subList(0, records);
    Path file = dir.resolve("sms-head.jsonl");
    Files.write(file, lines);
    return file;
  }
}
