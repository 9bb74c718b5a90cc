package dev.flashline.engine.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashline.engine.loader.Checkpoint;
import dev.flashline.engine.loader.CheckpointException;
import dev.flashline.engine.loader.Dtype;
import dev.flashline.engine.loader.ModelConfig;
import dev.flashline.engine.loader.QuantizationConfig;
import dev.flashline.engine.loader.SafetensorsFile;
import dev.flashline.engine.loader.SafetensorsWriter;
import dev.flashline.engine.loader.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Turns a bf16/fp16/fp32 checkpoint into a DeepSeek-V3-style FP8 one: each selected linear weight
 * becomes F8_E4M3 plus {@code <name>_scale_inv} (F32, one per 128x128 block), everything else is
 * copied byte for byte, shard layout and file names are kept, and config.json gains
 * {@code quantization_config}. Embeddings, norms and lm_head stay in their original precision by
 * default, as in the published FP8 checkpoints: they are small or precision-sensitive.
 */
public final class CheckpointConverter {
  /** The projections of attention and MLP blocks, decoder (Llama family) and BERT names. */
  public static final Predicate<String> LINEAR_LAYERS = Pattern.compile(
          ".*\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj|attention\\.self\\.(query|key|value)|attention\\.output\\.dense|intermediate\\.dense|output\\.dense)\\.weight")
      .asMatchPredicate();

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckpointConverter() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: CheckpointConverter <input checkpoint dir> <output dir>");
      System.exit(2);
    }
    convert(Path.of(args[0]), Path.of(args[1]));
  }

  public static void convert(Path in, Path out) {
    convert(in, out, LINEAR_LAYERS);
  }

  /** @param quantize which 2-D tensors (by name) become FP8 */
  public static void convert(Path in, Path out, Predicate<String> quantize) {
    try {
      Files.createDirectories(out);
      Path configFile = in.resolve("config.json");
      JsonNode config = JSON.readTree(configFile.toFile());
      ModelConfig parsed;
      try {
        parsed = ModelConfig.parse(config);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(configFile + ": " + e.getMessage(), e);
      }
      if (parsed.quantization() != null) {
        throw new CheckpointException(configFile + ": already has a quantization_config; convert an unquantised checkpoint");
      }
      List<String> shards = shardFiles(in);
      Map<String, String> weightMap = new LinkedHashMap<>();
      long total = 0;
      for (String shard : shards) {
        total += convertShard(in.resolve(shard), out.resolve(shard), quantize, weightMap);
      }
      if (Files.isRegularFile(in.resolve(Checkpoint.INDEX_FILE))) {
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        JSON.writeValue(out.resolve(Checkpoint.INDEX_FILE).toFile(), index);
      }
      ObjectNode newConfig = ((ObjectNode) config).deepCopy();
      newConfig.set("quantization_config", parsed.withQuantization(QuantizationConfig.FP8_BLOCK_128).toJson().get("quantization_config"));
      JSON.writeValue(out.resolve("config.json").toFile(), newConfig);
      copyOthers(in, out);
    } catch (IOException e) {
      throw new UncheckedIOException(in + " -> " + out + ": " + e.getMessage(), e);
    }
  }

  private static List<String> shardFiles(Path in) throws IOException {
    Path index = in.resolve(Checkpoint.INDEX_FILE);
    if (Files.isRegularFile(index)) {
      JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
      if (map == null || !map.isObject()) {
        throw new CheckpointException(index + ": no weight_map object");
      }
      List<String> files = new ArrayList<>();
      map.forEach(f -> {
        if (!files.contains(f.asText())) {
          files.add(f.asText());
        }
      });
      return files;
    }
    if (Files.isRegularFile(in.resolve(Checkpoint.SINGLE_FILE))) {
      return List.of(Checkpoint.SINGLE_FILE);
    }
    throw new CheckpointException(in + ": neither " + Checkpoint.SINGLE_FILE + " nor " + Checkpoint.INDEX_FILE);
  }

  /** @return the data bytes written */
  private static long convertShard(Path from, Path to, Predicate<String> quantize, Map<String, String> weightMap) {
    String file = String.valueOf(to.getFileName());
    SafetensorsWriter writer = new SafetensorsWriter();
    try (SafetensorsFile source = SafetensorsFile.open(from)) {
      source.metadata().forEach(writer::metadata);
      for (String name : source.names()) {
        TensorInfo t = source.info(name);
        int[] shape = t.shape();
        boolean floating = t.dtype() == Dtype.F32 || t.dtype() == Dtype.F16 || t.dtype() == Dtype.BF16;
        if (shape.length == 2 && floating && quantize.test(name)) {
          Fp8Matrix q = BlockQuantizer.quantize(source.floats(name), shape[0], shape[1]);
          writer.add(name, Dtype.F8_E4M3, shape, q.codes());
          writer.addFloats(name + Checkpoint.SCALE_SUFFIX, Dtype.F32, new int[] {Fp8Matrix.blockRows(shape[0]), Fp8Matrix.blockCols(shape[1])}, q.scaleInv());
          weightMap.put(name + Checkpoint.SCALE_SUFFIX, file);
        } else {
          writer.add(name, t.dtype(), shape, source.bytes(name));
        }
        weightMap.put(name, file);
      }
    }
    writer.write(to);
    return writer.dataBytes();
  }

  /** Tokenizer files, generation config and the like travel with the weights. */
  private static void copyOthers(Path in, Path out) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(in)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        boolean ours = name.equals("config.json") || name.equals(Checkpoint.INDEX_FILE) || name.endsWith(".safetensors");
        if (!ours && Files.isRegularFile(p)) {
          Files.copy(p, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
