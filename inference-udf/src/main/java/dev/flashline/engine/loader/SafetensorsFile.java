package dev.flashline.engine.loader;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. The header is parsed and checked
 * once at open; tensor data is memory-mapped one tensor at a time when read, so files over 2 GiB
 * work (a single mapping is limited to 2 GiB, a tensor rarely is that large) and nothing is
 * copied onto the heap until a caller asks for it.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** The reference implementation's own limit; a larger "length" means the file is not safetensors. */
  static final long MAX_HEADER = 100_000_000;

  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors; // in data order
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot open: " + e.getMessage(), e);
    }
    try {
      return read(path, channel);
    } catch (RuntimeException e) {
      closeQuietly(channel, e);
      throw e;
    }
  }

  private static SafetensorsFile read(Path path, FileChannel channel) {
    String file = String.valueOf(path.getFileName());
    try {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(file + ": " + size + " bytes is too short for a safetensors header length (truncated?)");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength < 2 || headerLength > MAX_HEADER) {
        throw new CheckpointException(file + ": header length " + headerLength + " is not plausible (expected 2.." + MAX_HEADER + "); not a safetensors file?");
      }
      if (8 + headerLength > size) {
        throw new CheckpointException(file + ": header length " + headerLength + " runs past the end of the " + size + "-byte file (truncated?)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8);
      JsonNode root;
      try {
        root = JSON.readTree(header.array());
      } catch (JsonProcessingException e) {
        throw new CheckpointException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (root == null || !root.isObject()) {
        throw new CheckpointException(file + ": header is not a JSON object");
      }
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      Map<String, String> metadata = new LinkedHashMap<>();
      List<TensorInfo> list = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("__metadata__")) {
          readMetadata(file, field.getValue(), metadata);
        } else {
          list.add(readEntry(file, field.getKey(), field.getValue(), dataSize));
        }
      }
      list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      TensorInfo previous = null;
      for (TensorInfo t : list) {
        // Zero-length tensors take no bytes and may share an offset with anything.
        if (previous != null && t.byteSize() > 0 && t.begin() < previous.end()) {
          throw new CheckpointException(file + ": tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end() + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
        }
        if (t.byteSize() > 0) {
          previous = t;
        }
        tensors.put(t.name(), t);
      }
      return new SafetensorsFile(path, channel, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static void readMetadata(String file, JsonNode node, Map<String, String> metadata) {
    if (!node.isObject()) {
      throw new CheckpointException(file + ": __metadata__ is not a JSON object");
    }
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(file + ": __metadata__ '" + e.getKey() + "' is not a string");
      }
      metadata.put(e.getKey(), e.getValue().asText());
    });
  }

  private static TensorInfo readEntry(String file, String name, JsonNode node, long dataSize) {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new CheckpointException(where + ": header entry is not a JSON object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CheckpointException(where + ": no dtype");
    }
    Dtype dtype = Dtype.parse(dtypeNode.asText());
    if (dtype == null) {
      throw new CheckpointException(where + ": unknown dtype '" + dtypeNode.asText() + "' (readable: F32, F16, BF16, F8_E4M3)");
    }
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new CheckpointException(where + ": no shape array");
    }
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
        throw new CheckpointException(where + ": shape " + shapeNode + " is not a list of non-negative ints");
      }
      shape[i] = d.asInt();
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
      throw new CheckpointException(where + ": data_offsets " + offsets + " is not a pair of integers");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    String range = "data_offsets [" + begin + ", " + end + "]";
    if (begin < 0 || end < begin) {
      throw new CheckpointException(where + ": " + range + " are not an ordered pair of non-negative offsets");
    }
    if (end > dataSize) {
      throw new CheckpointException(where + ": " + range + " end past the file (truncated?): the data section has " + dataSize + " bytes");
    }
    long elements = 1;
    for (int d : shape) {
      elements *= d; // no overflow: each d < 2^31 and the product is checked against a file size
      if (elements > dataSize) {
        break;
      }
    }
    if (elements * dtype.size() != end - begin) {
      throw new CheckpointException(where + ": " + range + " hold " + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + elements * dtype.size());
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static void closeQuietly(FileChannel channel, Exception cause) {
    try {
      channel.close();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  public Path path() {
    return path;
  }

  /** The {@code __metadata__} strings (often just {@code format: pt}). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensor names in the order their data lies in the file. */
  public Set<String> names() {
    return tensors.keySet();
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new CheckpointException(path.getFileName() + ": no tensor '" + name + "'");
    }
    return t;
  }

  /**
   * The tensor's bytes, little-endian, mapped read-only. The mapping lives until garbage
   * collected (the JDK has no safe explicit unmap), so callers copy out what they keep.
   */
  public ByteBuffer data(String name) {
    TensorInfo t = info(name);
    if (t.byteSize() > Integer.MAX_VALUE) {
      throw new CheckpointException(path.getFileName() + ": tensor '" + name + "': " + t.byteSize() + " bytes is more than one mapping (2 GiB) can hold");
    }
    try {
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteSize());
      return mapped.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(path.getFileName() + ": tensor '" + name + "': cannot map: " + e.getMessage(), e);
    }
  }

  /** The raw bytes, copied onto the heap (FP8 codes, for instance). */
  public byte[] bytes(String name) {
    ByteBuffer data = data(name);
    byte[] out = new byte[data.remaining()];
    data.get(out);
    return out;
  }

  /** The tensor converted to fp32; F8_E4M3 is decoded without any block scale. */
  public float[] floats(String name) {
    TensorInfo t = info(name);
    if (!t.dtype().readable()) {
      throw new CheckpointException(path.getFileName() + ": tensor '" + name + "' has dtype " + t.dtype() + "; readable dtypes are F32, F16, BF16, F8_E4M3");
    }
    return t.dtype().decode(data(name), (int) t.elements());
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(path.getFileName() + ": close: " + e.getMessage(), e);
    }
  }
}
