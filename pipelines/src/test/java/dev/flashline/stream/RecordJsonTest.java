package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.schema.LabelledRecord;
import dev.flashline.schema.TaskType;
import dev.flashline.task.ComputeSpec;
import dev.flashline.task.LabelledRecords;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
  @Test
  void aRowIsPlainJsonWithTheSchemasFieldNames() throws Exception {
    LabelledRecord row =
        LabelledRecords.selfHosted("r1", TaskType.classify, "local", "e5-small-v2-q", 0.5, ComputeSpec.defaults())
            .setLabel("spam").setConfidence(0.9).build();
    JsonNode json = new ObjectMapper().readTree(RecordJson.bytes(row));

    assertThat(json.get("id").asText()).isEqualTo("r1");
    assertThat(json.get("label").asText()).isEqualTo("spam");
    assertThat(json.get("summary").isNull()).isTrue();
    assertThat(json.get("status").asText()).isEqualTo("ok");
    assertThat(json.get("price_tier").asText()).isEqualTo("standard");
    assertThat(json.get("cost_usd").asDouble()).isEqualTo(row.getCostUsd());
    assertThat(json.get("charges").get(0).get("compute_seconds").asDouble()).isEqualTo(0.5);
    assertThat(json.size()).isEqualTo(LabelledRecord.getClassSchema().getFields().size());
  }
}
