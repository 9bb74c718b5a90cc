package dev.flashline.engine.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flashline.engine.F32Linear;
import dev.flashline.engine.Linear;
import dev.flashline.engine.Weights;
import dev.flashline.engine.models.BertConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder taken out of another format (an ONNX graph, see {@link OnnxBertImporter}): fp32
 * tensors under Hugging Face names, linear weights (out, in) as PyTorch stores them, and the
 * config worked out from the graph. It can be run directly ({@link Weights}) or written as a
 * checkpoint directory that {@link Checkpoint} and {@code CheckpointConverter} read.
 *
 * @param source the file it came from, for messages
 * @param notes how each part of the config and the weights was found, one line each
 */
public record ImportedBert(String source, BertConfig config, Map<String, float[]> tensors, Map<String, int[]> shapes, List<String> notes)
    implements Weights {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public ImportedBert {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
    notes = List.copyOf(notes);
    if (!tensors.keySet().equals(shapes.keySet())) {
      throw new IllegalArgumentException("tensors and shapes name different tensors");
    }
    for (Map.Entry<String, float[]> e : tensors.entrySet()) {
      if (OnnxTensorProto.elements(shapes.get(e.getKey())) != e.getValue().length) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "': " + e.getValue().length + " values for shape " + Arrays.toString(shapes.get(e.getKey())));
      }
    }
  }

  /** The config as a Hugging Face {@code BertModel} config.json says it. */
  public ModelConfig modelConfig() {
    BertConfig c = config;
    return new ModelConfig(List.of("BertModel"), "bert", c.hidden(), c.intermediate(), c.layers(), c.heads(), c.heads(), c.headDim(),
        1e-6, 10000.0, c.vocab(), c.maxPositions(), true, c.layerNormEps(), c.typeVocab(), "gelu", null);
  }

  /** Writes {@code config.json} and an fp32 {@code model.safetensors} into {@code dir}. */
  public void writeCheckpoint(Path dir) {
    SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt").metadata("source", source.substring(source.lastIndexOf('/') + 1));
    tensors.forEach((name, values) -> writer.addFloats(name, Dtype.F32, shapes.get(name), values));
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("config.json").toFile(), modelConfig().toJson());
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
    writer.write(dir.resolve(Checkpoint.SINGLE_FILE));
  }

  @Override
  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  @Override
  public int[] shape(String name) {
    return require(name, shapes).clone();
  }

  @Override
  public float[] floats(String name) {
    return require(name, tensors);
  }

  @Override
  public Linear linear(String name) {
    int[] shape = shape(name);
    if (shape.length != 2) {
      throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape " + Arrays.toString(shape) + "; a linear weight is 2-D (out, in)");
    }
    return new F32Linear(floats(name), shape[0], shape[1]);
  }

  private <T> T require(String name, Map<String, T> map) {
    T t = map.get(name);
    if (t == null) {
      throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
    }
    return t;
  }
}
