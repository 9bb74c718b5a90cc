package dev.flashline.engine.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one safetensors file in memory (one shard's worth) and writes it in the format the
 * reference implementation produces: header padded with spaces to a multiple of 8 so that the
 * data section starts aligned, tensors laid out in the order they were added.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Entry(String name, Dtype dtype, int[] shape, byte[] data) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private long dataBytes;

  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a tensor from its little-endian bytes. */
  public SafetensorsWriter add(String name, Dtype dtype, int[] shape, byte[] data) {
    long elements = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
      }
      elements *= d;
    }
    if (elements * dtype.size() != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dtype + " needs " + elements * dtype.size() + " bytes, got " + data.length);
    }
    if (!names.add(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' added twice");
    }
    entries.add(new Entry(name, dtype, shape.clone(), data));
    dataBytes += data.length;
    return this;
  }

  /** Adds a tensor given as fp32, rounded to {@code dtype} (nearest even). */
  public SafetensorsWriter addFloats(String name, Dtype dtype, int[] shape, float[] values) {
    return add(name, dtype, shape, dtype.encode(values));
  }

  public long dataBytes() {
    return dataBytes;
  }

  public Set<String> names() {
    return names;
  }

  public void write(Path file) {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode node = header.putObject(e.name());
      node.put("dtype", e.dtype().name());
      var shape = node.putArray("shape");
      for (int d : e.shape()) {
        shape.add(d);
      }
      node.putArray("data_offsets").add(offset).add(offset + e.data().length);
      offset += e.data().length;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = Arrays.copyOf(json, padded);
    Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerBytes);
      for (Entry e : entries) {
        out.write(e.data());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }
}
