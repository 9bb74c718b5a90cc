package dev.flashline.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.backend.local.EncoderModelSpec;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelFileTest {
  @TempDir Path dir;

  /**
   * A small model using the encodings writers choose between: packed and unpacked repeated
   * fields, raw_data and the typed data fields, a scalar, a Constant node, attributes of
   * several kinds.
   */
  private static byte[] smallModel() {
    ProtoWriter graph = new ProtoWriter();
    ProtoWriter constant = ProtoWriter.node("shape", "Constant", new String[0], new String[] {"c"});
    ProtoWriter value = ProtoWriter.tensor("", OnnxDataType.INT64, new int[] {2},
        ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(-1).array());
    constant.message(5, new ProtoWriter().string(1, "value").message(5, value).varint(20, OnnxAttribute.Kind.TENSOR.code()));
    graph.message(1, constant);
    ProtoWriter reshape = ProtoWriter.node("", "Reshape", new String[] {"x", "c"}, new String[] {"y"});
    reshape.message(5, new ProtoWriter().string(1, "alpha").fixed32(2, 0.5f).varint(20, 1));
    reshape.message(5, new ProtoWriter().string(1, "axis").varint(3, -1L).varint(20, 2)); // negative int64: 10-byte varint
    reshape.message(5, new ProtoWriter().string(1, "mode").string(4, "tanh").varint(20, 3));
    reshape.message(5, new ProtoWriter().string(1, "perm").packedVarints(8, 0, 2, 1).varint(20, 7));
    reshape.message(5, new ProtoWriter().string(1, "scales").fixed32(7, 1.5f).fixed32(7, 2.5f)); // unpacked, no type (IR 1)
    graph.message(1, reshape.string(7, "com.example"));
    // float_data, packed, and dims unpacked
    graph.message(5, new ProtoWriter().varint(1, 2).varint(1, 3).varint(2, OnnxDataType.FLOAT.code())
        .packedFloats(4, 1, 2, 3, 4, 5, 6).string(8, "w"));
    graph.message(5, ProtoWriter.floatTensor("b", new int[] {3}, new float[] {-1, 0, 1}));
    // a uint8 scalar in int32_data, as the quantiser writes zero points
    graph.message(5, new ProtoWriter().varint(2, OnnxDataType.UINT8.code()).packedVarints(5, 200).string(8, "zp"));
    // int64_data, one varint per key
    graph.message(5, new ProtoWriter().varint(1, 2).varint(2, OnnxDataType.INT64.code()).varint(7, 7).varint(7, -7L).string(8, "ids"));
    graph.message(11, ProtoWriter.valueInfo("x"));
    graph.message(12, ProtoWriter.valueInfo("y"));
    graph.string(2, "small");
    return new ProtoWriter().varint(1, 8).string(2, "flashline-test").string(3, "1.0")
        .message(8, new ProtoWriter().string(1, "").varint(2, 17))
        .message(7, graph).toByteArray();
  }

  @Test
  void readsEveryEncodingOfTheSmallModel() throws Exception {
    Path file = dir.resolve("small.onnx");
    Files.write(file, smallModel());
    OnnxModelFile m = OnnxModelFile.read(file);

    assertThat(m.irVersion()).isEqualTo(8);
    assertThat(m.producer()).isEqualTo("flashline-test 1.0");
    assertThat(m.opsets()).isEqualTo(Map.of("", 17L));
    assertThat(m.inputs()).containsExactly("x");
    assertThat(m.outputs()).containsExactly("y");
    assertThat(m.nodes()).extracting(OnnxNode::opType).containsExactly("Constant", "Reshape");

    OnnxNode reshape = m.nodes().get(1);
    assertThat(reshape.domain()).isEqualTo("com.example");
    assertThat(reshape.inputs()).containsExactly("x", "c");
    assertThat(reshape.input(5)).isEmpty();
    assertThat(reshape.attribute("alpha").f()).isEqualTo(0.5f);
    assertThat(reshape.attribute("axis").i()).isEqualTo(-1);
    assertThat(reshape.attribute("axis").kind()).isEqualTo(OnnxAttribute.Kind.INT);
    assertThat(reshape.attribute("mode").s()).isEqualTo("tanh");
    assertThat(reshape.attribute("perm").ints()).containsExactly(0, 2, 1);
    assertThat(reshape.attribute("scales").floats()).containsExactly(1.5f, 2.5f);
    assertThat(reshape.attribute("scales").kind()).isEqualTo(OnnxAttribute.Kind.FLOATS);
    assertThat(m.producer("y")).isSameAs(reshape);
    assertThat(m.consumers("c")).containsExactly(reshape);
    assertThat(m.producer("x")).isNull();

    assertThat(m.initializers().keySet()).containsExactly("w", "b", "zp", "ids");
    OnnxTensorProto w = m.initializer("w");
    assertThat(w.shape()).containsExactly(2, 3);
    assertThat(w.floats()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(m.initializer("b").floats()).containsExactly(-1, 0, 1);
    OnnxTensorProto zp = m.initializer("zp");
    assertThat(zp.shape()).isEmpty();
    assertThat(zp.elements()).isEqualTo(1);
    assertThat(zp.longs()).containsExactly(200); // unsigned
    assertThat(zp.byteAt(0)).isEqualTo(200);
    assertThat(m.initializer("ids").longs()).containsExactly(7, -7);
    assertThat(m.constant("c").longs()).containsExactly(3, -1);
    assertThat(m.constant("w")).isSameAs(w);
    assertThat(m.constant("y")).isNull();
    assertThatThrownBy(() -> m.initializer("missing"))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'missing'");
  }

  @Test
  void readsTheBundledQuantisedModel() throws Exception {
    byte[] bytes;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(EncoderModelSpec.E5_SMALL_V2_Q.onnxResource())) {
      bytes = in.readAllBytes();
    }
    OnnxModelFile m = OnnxModelFile.parse("e5-small-v2-q.onnx", ByteBuffer.wrap(bytes));
    assertThat(m.producer()).isEqualTo("onnx.quantize 0.1.0");
    assertThat(m.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
    assertThat(m.outputs()).containsExactly("last_hidden_state");
    Map<String, Long> ops = m.nodes().stream().collect(Collectors.groupingBy(OnnxNode::opType, Collectors.counting()));
    assertThat(ops).containsEntry("MatMulInteger", 72L).containsEntry("DynamicQuantizeLinear", 48L).containsEntry("Erf", 12L);
    assertThat(m.initializers()).hasSize(348);
    // Linear weights: int8 (in, out), a scale and zero point per output column.
    OnnxTensorProto q = m.initializer("onnx::MatMul_1536_quantized");
    assertThat(q.dataType()).isEqualTo(OnnxDataType.INT8);
    assertThat(q.shape()).containsExactly(384, 1536);
    assertThat(m.initializer("onnx::MatMul_1536_scale").shape()).containsExactly(1536);
    assertThat(m.initializer("onnx::MatMul_1536_zero_point").dataType()).isEqualTo(OnnxDataType.INT8);
    // Embedding tables: uint8 with one scale and zero point for the whole table.
    OnnxTensorProto words = m.initializer("embeddings.word_embeddings.weight_quantized");
    assertThat(words.dataType()).isEqualTo(OnnxDataType.UINT8);
    assertThat(words.shape()).containsExactly(30522, 384);
    assertThat(m.initializer("embeddings.word_embeddings.weight_scale").shape()).isEmpty();
    assertThat(m.initializer("embeddings.word_embeddings.weight_zero_point").dataType()).isEqualTo(OnnxDataType.UINT8);
    Map<OnnxDataType, Long> types = m.initializers().values().stream()
        .collect(Collectors.groupingBy(OnnxTensorProto::dataType, Collectors.counting()));
    System.out.println("e5-small-v2-q.onnx: " + m.nodes().size() + " nodes " + ops + "; initializers by type " + types);
  }

  @Test
  void truncatedFileFailsNamingTheFile() throws Exception {
    byte[] small = smallModel();
    Path file = dir.resolve("cut.onnx");
    Files.write(file, Arrays.copyOf(small, small.length - 10));
    assertThatThrownBy(() -> OnnxModelFile.read(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file + ": not a valid ONNX model")
        .hasMessageContaining("runs past the end");
  }

  @Test
  void tensorWithTooLittleDataFailsNamingTheFileAndTensor() throws Exception {
    byte[] model = new ProtoWriter().message(7, new ProtoWriter()
            .message(5, ProtoWriter.floatTensor("ok", new int[] {1}, new float[] {1}))
            .message(5, ProtoWriter.tensor("short", OnnxDataType.FLOAT, new int[] {2, 3}, new byte[20])))
        .toByteArray();
    Path file = dir.resolve("short.onnx");
    Files.write(file, model);
    assertThatThrownBy(() -> OnnxModelFile.read(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("initializer #1")
        .hasMessageContaining("tensor 'short'")
        .hasMessageContaining("needs 24 bytes, the data has 20");
  }

  @Test
  void externalDataIsRefusedNamingTheTensor() throws Exception {
    ProtoWriter t = new ProtoWriter().varint(1, 4).varint(2, OnnxDataType.FLOAT.code()).string(8, "big")
        .message(13, new ProtoWriter().string(1, "location").string(2, "weights.bin")).varint(14, 1);
    Path file = dir.resolve("external.onnx");
    Files.write(file, new ProtoWriter().message(7, new ProtoWriter().message(5, t)).toByteArray());
    assertThatThrownBy(() -> OnnxModelFile.read(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("tensor 'big'")
        .hasMessageContaining("external_data");
  }

  @Test
  void fileWithoutAGraphIsNotAModel() throws Exception {
    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> OnnxModelFile.read(empty))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(empty + ": not an ONNX model: no graph (ModelProto field 7)");
    Path text = dir.resolve("config.onnx");
    Files.writeString(text, "{\"hidden_size\": 384}\n");
    assertThatThrownBy(() -> OnnxModelFile.read(text))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(text.toString());
  }

  @Test
  void garbageAndCutsOnlyEverFailAsCheckpointExceptions() {
    // Random bytes and every kind of truncation or corruption of a real model parse or fail
    // cleanly: never an index error, a negative allocation or a runaway read.
    byte[] small = smallModel();
    SplittableRandom random = new SplittableRandom(7);
    Function<byte[], Boolean> parses = bytes -> {
      try {
        OnnxModelFile.parse("fuzz.onnx", ByteBuffer.wrap(bytes));
        return true;
      } catch (CheckpointException e) {
        assertThat(e.getMessage()).startsWith("fuzz.onnx: ");
        return false;
      }
    };
    int failed = 0;
    for (int round = 0; round < 3000; round++) {
      byte[] bytes;
      switch (round % 3) {
        case 0 -> {
          bytes = new byte[random.nextInt(200)];
          random.nextBytes(bytes);
        }
        case 1 -> bytes = Arrays.copyOf(small, random.nextInt(small.length));
        default -> {
          bytes = small.clone();
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      failed += parses.apply(bytes) ? 0 : 1;
    }
    assertThat(failed).isGreaterThan(1000);
  }

  @Test
  void dataTypesKeepOnnxCodes() {
    assertThat(List.of(OnnxDataType.values())).extracting(OnnxDataType::code)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    assertThat(OnnxDataType.of(0)).isNull();
    assertThat(OnnxDataType.of(16)).isEqualTo(OnnxDataType.BFLOAT16);
  }
}
