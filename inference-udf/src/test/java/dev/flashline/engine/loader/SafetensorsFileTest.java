package dev.flashline.engine.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path dir;

  /** A file with a hand-written header, for the malformed cases the writer cannot produce. */
  private Path raw(String name, String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private static String message(Path file) {
    return assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file).close()).getMessage();
  }

  @Test
  void writesAndReadsEveryDtype() throws IOException {
    float[] values = {0f, 1f, -2.5f, 0.015625f, 0.375f, 100f}; // (2, 3); only 100 is not E4M3
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    for (Dtype d : List.of(Dtype.F32, Dtype.F16, Dtype.BF16, Dtype.F8_E4M3)) {
      w.addFloats("t." + d, d, new int[] {2, 3}, values);
    }
    w.add("empty", Dtype.F32, new int[] {0, 4}, new byte[0]);
    Path p = dir.resolve("model.safetensors");
    w.write(p);

    long headerLength = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8, "data section starts 8-aligned");
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertEquals(Map.of("format", "pt"), f.metadata());
      assertEquals(5, f.names().size());
      assertArrayEquals(values, f.floats("t.F32"), 0f);
      assertArrayEquals(values, f.floats("t.F16"), 0f);
      assertArrayEquals(values, f.floats("t.BF16"), 0f);
      // 100 is the tie between 96 and 104; to even is 96
      assertArrayEquals(new float[] {0f, 1f, -2.5f, 0.015625f, 0.375f, 96f}, f.floats("t.F8_E4M3"), 0f);
      assertArrayEquals(new int[] {2, 3}, f.info("t.BF16").shape());
      assertEquals(Dtype.F8_E4M3, f.info("t.F8_E4M3").dtype());
      assertEquals(6, f.bytes("t.F8_E4M3").length);
      assertEquals(0, f.floats("empty").length);
    }
  }

  @Test
  void truncatedFileNamesTheTensorWhoseDataIsMissing() throws IOException {
    Path p = dir.resolve("model-00002-of-00002.safetensors");
    new SafetensorsWriter()
        .addFloats("model.layers.3.mlp.gate_proj.weight", Dtype.F32, new int[] {4, 4}, new float[16])
        .addFloats("model.layers.3.mlp.up_proj.weight", Dtype.F32, new int[] {4, 4}, new float[16])
        .write(p);
    byte[] all = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(all, all.length - 10));
    String m = message(p);
    assertTrue(m.startsWith("model-00002-of-00002.safetensors: tensor 'model.layers.3.mlp.up_proj.weight': data_offsets [64, 128] end past the file (truncated?)"), m);
  }

  @Test
  void garbageIsNotMistakenForAHeader() throws IOException {
    Path p = dir.resolve("garbage.safetensors");
    Files.write(p, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
    String m = message(p);
    assertTrue(m.startsWith("garbage.safetensors: header length") && m.contains("not plausible"), m);

    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertTrue(message(tiny).contains("tiny.safetensors: 3 bytes is too short"));

    assertTrue(message(raw("json.safetensors", "{\"a\": [1, 2", 0)).startsWith("json.safetensors: header is not valid JSON"));
    assertTrue(message(raw("array.safetensors", "[1, 2]", 0)).contains("not a JSON object"));

    Path longHeader = dir.resolve("long.safetensors");
    Files.write(longHeader, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
    assertTrue(message(longHeader).contains("runs past the end"));
  }

  @Test
  void unknownAndUnreadableDtypesNameTheTensor() throws IOException {
    String m = message(raw("f4.safetensors", "{\"w\": {\"dtype\": \"F4\", \"shape\": [2], \"data_offsets\": [0, 1]}}", 1));
    assertTrue(m.contains("f4.safetensors: tensor 'w': unknown dtype 'F4'"), m);

    Path ints = raw("ids.safetensors", "{\"embeddings.position_ids\": {\"dtype\": \"I64\", \"shape\": [1, 2], \"data_offsets\": [0, 16]}}", 16);
    try (SafetensorsFile f = SafetensorsFile.open(ints)) { // an integer buffer may sit in a checkpoint
      String read = assertThrows(CheckpointException.class, () -> f.floats("embeddings.position_ids")).getMessage();
      assertTrue(read.contains("ids.safetensors: tensor 'embeddings.position_ids' has dtype I64"), read);
      assertTrue(assertThrows(CheckpointException.class, () -> f.info("nope")).getMessage().contains("ids.safetensors: no tensor 'nope'"));
    }
  }

  @Test
  void offsetsMustMatchTheShapeAndNotOverlap() throws IOException {
    String size = message(raw("size.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8));
    assertTrue(size.contains("size.safetensors: tensor 'w': data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12"), size);

    String overlap = message(raw("overlap.safetensors",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12));
    assertTrue(overlap.contains("overlap.safetensors: tensor 'b'") && overlap.contains("overlap tensor 'a'"), overlap);

    String backwards = message(raw("back.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", 8));
    assertTrue(backwards.contains("back.safetensors: tensor 'w'"), backwards);

    String shape = message(raw("shape.safetensors", "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 0]}}", 0));
    assertTrue(shape.contains("shape.safetensors: tensor 'w': shape [-1]"), shape);

    String dup = message(raw("dup.safetensors",
        "{\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}, \"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 0));
    assertTrue(dup.contains("dup.safetensors") && dup.contains("Duplicate"), dup);
  }
}
