package dev.flashline.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashline.schema.DeadLetter;
import dev.flashline.schema.Document;
import dev.flashline.schema.TaskType;
import dev.flashline.task.JobSpec;
import dev.flashline.task.LabelSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {
  private static final JobSpec JOB =
      new JobSpec("t", TaskType.classify, "id", "text", "label", List.of(new LabelSpec("a", ""), new LabelSpec("b", "")),
          null, null, null, null, null, null, null);
  private static final KafkaPosition AT = new KafkaPosition("in", 2, 41);

  private static MessageDecoder.Decoded json(String key, String value) {
    return new MessageDecoder(JOB, MessageFormat.json, 1000).decode(AT, key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aJsonMessageBecomesADocumentWithTheKeyAsFallbackId() {
    MessageDecoder.Decoded decoded = json("k1", "{\"text\": \"hello\", \"label\": \"a\"}");
    assertThat(decoded.error()).isNull();
    assertThat(decoded.document().getId()).isEqualTo("k1");
    assertThat(decoded.document().getGoldLabel()).isEqualTo("a");
    assertThat(json("k1", "{\"id\": 7, \"text\": \"hello\"}").document().getId()).isEqualTo("7");
  }

  @Test
  void poisonMessagesSayWhatIsWrongAndWhere() {
    assertThat(json("k", "{oops").error()).contains("in partition 2 offset 41").contains("not valid JSON");
    assertThat(json("k", "\"text\"").error()).contains("must be a JSON object");
    assertThat(json("k", "{\"id\": \"x\"}").error()).contains("record 'x'").contains("field 'text' is missing");
    assertThat(json(null, "{\"text\": \"no id\"}").error()).contains("field 'id' is missing");
    assertThat(json("k", "{\"id\": \"x\", \"text\": \"" + "z".repeat(2000) + "\"}").error()).contains("over the limit of 1000");
    MessageDecoder.Decoded binary = new MessageDecoder(JOB, MessageFormat.json, 1000).decode(AT, "k", new byte[] {(byte) 0xff, 0x00});
    assertThat(binary.error()).contains("not UTF-8");
    assertThat(binary.payload()).startsWith("base64:");
    assertThat(new MessageDecoder(JOB, MessageFormat.json, 1000).decode(AT, "k", null).error()).contains("no value");
  }

  @Test
  void avroDocumentsAreReadAndOtherSchemasRefused() throws Exception {
    MessageDecoder decoder = new MessageDecoder(JOB, MessageFormat.avro, 10_000);
    ByteBuffer document = Document.newBuilder().setId("d1").setText("hi there").build().toByteBuffer();
    assertThat(decoder.decode(AT, null, bytes(document)).document().getText()).isEqualTo("hi there");
    ByteBuffer other = DeadLetter.newBuilder().setJob("j").setSource("s").setReason("r").build().toByteBuffer();
    assertThat(decoder.decode(AT, "k", bytes(other)).error()).contains("not an Avro Document");
    assertThat(decoder.decode(AT, "k", "{\"id\": 1}".getBytes(StandardCharsets.UTF_8)).error()).contains("not an Avro Document");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
