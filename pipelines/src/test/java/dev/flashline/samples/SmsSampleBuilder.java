package dev.flashline.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Rebuilds {@code samples/sms-spam/} from the SMS Spam Collection TSV: stable ids from the line
 * number, JSONL and Parquet copies with the gold label, and the job spec's few-shot examples
 * (a seeded random draw of distinct texts per class). Run by hand; see samples/README.md.
 */
public final class SmsSampleBuilder {
  static final int EXAMPLES_PER_CLASS = 40;
  static final long SEED = 2026;

  public static void main(String[] args) throws IOException {
    Path tsv = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    List<String[]> rows = new ArrayList<>();
    int line = 0;
    for (String raw : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
      line++;
      int tab = raw.indexOf('\t');
      if (tab < 0) {
        throw new IOException(tsv + " line " + line + ": no tab");
      }
      rows.add(new String[] {String.format("sms-%05d", line), raw.substring(0, tab), raw.substring(tab + 1)});
    }

    ObjectMapper json = new ObjectMapper();
    try (Writer writer = Files.newBufferedWriter(out.resolve("sms-spam.jsonl"), StandardCharsets.UTF_8)) {
      for (String[] row : rows) {
        ObjectNode node = json.createObjectNode().put("id", row[0]).put("label", row[1]).put("text", row[2]);
        writer.write(json.writeValueAsString(node));
        writer.write('\n');
      }
    }

    Schema schema =
        SchemaBuilder.record("SmsMessage").namespace("dev.flashline.samples").fields()
            .requiredString("id").requiredString("label").requiredString("text").endRecord();
    Path parquet = out.resolve("sms-spam.parquet");
    Files.deleteIfExists(parquet);
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new org.apache.hadoop.fs.Path(parquet.toUri()))
            .withSchema(schema)
            .withConf(new Configuration())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (String[] row : rows) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("id", row[0]);
        record.put("label", row[1]);
        record.put("text", row[2]);
        writer.write(record);
      }
    }
    Files.deleteIfExists(out.resolve(".sms-spam.parquet.crc"));

    List<String[]> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(SEED));
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("spam", new ArrayList<>());
    examples.put("ham", new ArrayList<>());
    Set<String> seen = new HashSet<>();
    for (String[] row : shuffled) {
      List<String> texts = examples.get(row[1]);
      if (texts.size() < EXAMPLES_PER_CLASS && seen.add(row[2].strip())) {
        texts.add(row[2]);
      }
    }
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    List<Map<String, String>> exampleList = new ArrayList<>();
    for (int i = 0; i < EXAMPLES_PER_CLASS; i++) {
      for (var entry : examples.entrySet()) {
        exampleList.add(Map.of("label", entry.getKey(), "text", entry.getValue().get(i)));
      }
    }
    StringBuilder spec = new StringBuilder();
    spec.append("# Spam or ham for the SMS Spam Collection (samples/sms-spam/README.md).\n")
        .append("# The examples are ").append(EXAMPLES_PER_CLASS)
        .append(" distinct texts per class drawn at random (seed ").append(SEED)
        .append(") from the data by SmsSampleBuilder;\n")
        .append("# the report leaves records whose text is an example out of the quality figures.\n")
        .append("name: sms-spam\n")
        .append("task: classify\n")
        .append("id_field: id\n")
        .append("text_field: text\n")
        .append("gold_field: label\n")
        .append("labels:\n")
        .append("  - name: spam\n")
        .append("    description: Unsolicited commercial or fraudulent text message - prize or cash claims, free offers,\n")
        .append("      premium-rate numbers, subscriptions and requests to text or call a number.\n")
        .append("  - name: ham\n")
        .append("    description: An ordinary personal text message between people who know each other - plans, chat,\n")
        .append("      questions and replies.\n")
        .append(yaml.writeValueAsString(Map.of("examples", exampleList)));
    Files.writeString(out.resolve("sms-spam.yaml"), spec.toString(), StandardCharsets.UTF_8);
    System.out.println("wrote " + rows.size() + " records and " + exampleList.size() + " examples to " + out);
  }
}
