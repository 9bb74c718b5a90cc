package dev.flashline.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import dev.flashline.engine.quant.Fp8Linear;
import dev.flashline.engine.quant.Fp8Matrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face checkpoint directory: {@code config.json} plus either {@code model.safetensors}
 * or shards named by {@code model.safetensors.index.json}'s weight_map. Tensors are read from the
 * memory-mapped files on demand; bf16/fp16/fp32 linear weights become fp32 once, FP8 ones stay
 * one byte per parameter with their {@code <name>_scale_inv} block scales.
 */
public final class Checkpoint implements Weights, AutoCloseable {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";
  public static final String SCALE_SUFFIX = "_scale_inv";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final ModelConfig config;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> byTensor; // tensor name -> the file holding it

  private Checkpoint(Path dir, ModelConfig config, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
    this.dir = dir;
    this.config = config;
    this.files = files;
    this.byTensor = byTensor;
  }

  public static Checkpoint open(Path dir) {
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new CheckpointException(dir + ": no config.json");
    }
    ModelConfig config = ModelConfig.read(configFile);
    Map<String, SafetensorsFile> opened = new LinkedHashMap<>(); // file name -> file
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    try {
      Path index = dir.resolve(INDEX_FILE);
      if (Files.isRegularFile(index)) {
        for (Map.Entry<String, String> e : weightMap(index).entrySet()) {
          String fileName = e.getValue();
          SafetensorsFile file = opened.get(fileName);
          if (file == null) {
            Path shard = dir.resolve(fileName);
            if (!Files.isRegularFile(shard)) {
              throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is mapped to " + fileName + ", which does not exist");
            }
            file = SafetensorsFile.open(shard);
            opened.put(fileName, file);
          }
          if (!file.has(e.getKey())) {
            throw new CheckpointException(fileName + ": tensor '" + e.getKey() + "' is listed in " + INDEX_FILE + " but not in the file");
          }
          byTensor.put(e.getKey(), file);
        }
      } else if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
        SafetensorsFile file = SafetensorsFile.open(dir.resolve(SINGLE_FILE));
        opened.put(SINGLE_FILE, file);
        for (String name : file.names()) {
          byTensor.put(name, file);
        }
      } else {
        throw new CheckpointException(dir + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE);
      }
    } catch (RuntimeException e) {
      opened.values().forEach(f -> closeQuietly(f, e));
      throw e;
    }
    return new Checkpoint(dir, config, List.copyOf(opened.values()), Collections.unmodifiableMap(byTensor));
  }

  private static Map<String, String> weightMap(Path index) {
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (IOException e) {
      throw new CheckpointException(index + ": cannot read: " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(index + ": no weight_map object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static void closeQuietly(SafetensorsFile f, Exception cause) {
    try {
      f.close();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  /** All tensor names, scales included. */
  public Set<String> names() {
    return byTensor.keySet();
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile f = byTensor.get(name);
    if (f == null) {
      throw new CheckpointException(dir + ": no tensor '" + name + "' in the checkpoint");
    }
    return f;
  }

  public TensorInfo info(String name) {
    return file(name).info(name);
  }

  public Dtype dtype(String name) {
    return info(name).dtype();
  }

  @Override
  public boolean has(String name) {
    return byTensor.containsKey(name);
  }

  @Override
  public int[] shape(String name) {
    return info(name).shape();
  }

  /**
   * Checks a tensor's shape before model code relies on it, so a mismatched checkpoint fails with
   * both shapes in the message instead of an index error deep in a matrix multiply.
   */
  public void requireShape(String name, int... expected) {
    TensorInfo t = info(name);
    if (!Arrays.equals(t.shape(), expected)) {
      throw new CheckpointException(file(name).path().getFileName() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected) + " (checkpoint " + dir + ")");
    }
  }

  @Override
  public float[] floats(String name) {
    SafetensorsFile f = file(name);
    if (f.info(name).dtype() == Dtype.F8_E4M3) {
      return fp8(name).dequantize();
    }
    return f.floats(name);
  }

  @Override
  public Linear linear(String name) {
    TensorInfo t = info(name);
    int[] shape = t.shape();
    if (shape.length != 2) {
      throw new CheckpointException(file(name).path().getFileName() + ": tensor '" + name + "' has shape " + Arrays.toString(shape) + "; a linear weight is 2-D (out, in)");
    }
    if (t.dtype() == Dtype.F8_E4M3) {
      return new Fp8Linear(fp8(name));
    }
    return new F32Linear(file(name).floats(name), shape[0], shape[1]);
  }

  /** An F8_E4M3 weight with its block scales, validated against each other. */
  private Fp8Matrix fp8(String name) {
    SafetensorsFile f = file(name);
    int[] shape = f.info(name).shape();
    String fileName = String.valueOf(f.path().getFileName());
    if (shape.length != 2) {
      throw new CheckpointException(fileName + ": FP8 tensor '" + name + "' has shape " + Arrays.toString(shape) + "; block scaling needs 2-D (out, in)");
    }
    String scaleName = name + SCALE_SUFFIX;
    if (!has(scaleName)) {
      throw new CheckpointException(fileName + ": FP8 tensor '" + name + "' has no '" + scaleName + "' in checkpoint " + dir);
    }
    int rows = Fp8Matrix.blockRows(shape[0]);
    int cols = Fp8Matrix.blockCols(shape[1]);
    int[] scaleShape = shape(scaleName);
    if (!Arrays.equals(scaleShape, new int[] {rows, cols})) {
      throw new CheckpointException(file(scaleName).path().getFileName() + ": tensor '" + scaleName + "' has shape " + Arrays.toString(scaleShape) + ", expected [" + rows + ", " + cols + "] for 128x128 blocks of " + Arrays.toString(shape));
    }
    return new Fp8Matrix(f.bytes(name), file(scaleName).floats(scaleName), shape[0], shape[1]);
  }

  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }
}
