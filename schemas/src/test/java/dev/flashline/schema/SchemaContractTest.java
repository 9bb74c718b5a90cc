package dev.flashline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

/** The output columns are a contract with users' downstream jobs: renaming one breaks them. */
class SchemaContractTest {
  @Test
  void labelledRecordHasTheDocumentedColumns() {
    List<String> fields = LabelledRecord.getClassSchema().getFields().stream().map(Schema.Field::name).toList();
    assertThat(fields)
        .contains(
            "id", "label", "summary", "confidence", "backend", "model", "status", "error", "input_tokens",
            "output_tokens", "cost_usd", "cache_hit_tokens", "cache_miss_tokens", "reasoning_tokens",
            "price_tier", "price_schedule", "compute_seconds", "gold_label", "is_example", "stage", "raw_output");
    assertThat(Status.values()).extracting(Enum::name).containsExactly("ok", "failed");
    assertThat(PriceTier.values()).extracting(Enum::name).containsExactly("peak", "off_peak", "standard");
  }

  @Test
  void everyOptionalFieldHasADefaultSoOldFilesStayReadable() {
    for (Schema schema : List.of(LabelledRecord.getClassSchema(), Document.getClassSchema(), DeadLetter.getClassSchema())) {
      for (Schema.Field field : schema.getFields()) {
        if (field.schema().getType() == Schema.Type.UNION) {
          assertThat(field.hasDefaultValue()).as(schema.getName() + "." + field.name()).isTrue();
        }
      }
    }
  }

  @Test
  void aReaderOfTodaysRecordsCanReadARecordWithoutTheUsageFields() {
    // What a writer before the API backends would have produced: the core fields only.
    Schema minimal =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "LabelledRecord", "namespace": "dev.flashline.schema", "fields": [
                  {"name": "id", "type": "string"},
                  {"name": "task", "type": {"type": "enum", "name": "TaskType", "symbols": ["classify", "summarise"]}},
                  {"name": "backend", "type": "string"},
                  {"name": "model", "type": "string"},
                  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["ok", "failed"]}}
                ]}
                """);
    assertThat(
            SchemaCompatibility.checkReaderWriterCompatibility(LabelledRecord.getClassSchema(), minimal).getType())
        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
  }
}
