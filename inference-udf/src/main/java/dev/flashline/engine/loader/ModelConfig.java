package dev.flashline.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parts of a Hugging Face {@code config.json} the runtime uses, for the dense decoders (Llama,
 * Qwen2/3, Mistral) and BERT encoders. Defaults follow the transformers config classes, so a
 * config that omits a field means what it means to transformers.
 *
 * @param quantization null for unquantised checkpoints
 */
public record ModelConfig(
    List<String> architectures,
    String modelType,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int vocabSize,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    double layerNormEps,
    int typeVocabSize,
    String hiddenAct,
    QuantizationConfig quantization) {

  public static final Set<String> DECODERS = Set.of("LlamaForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "MistralForCausalLM");
  public static final Set<String> ENCODERS = Set.of("BertModel", "BertForMaskedLM");

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelConfig {
    architectures = List.copyOf(architectures);
    if (architectures.isEmpty()) {
      throw new IllegalArgumentException("architectures is empty; supported: " + supported());
    }
    String architecture = architectures.get(0);
    if (!DECODERS.contains(architecture) && !ENCODERS.contains(architecture)) {
      throw new IllegalArgumentException("architecture '" + architecture + "' is not supported; supported: " + supported());
    }
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_key_value_heads", numKeyValueHeads);
    positive("head_dim", headDim);
    positive("vocab_size", vocabSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
    }
    if (ENCODERS.contains(architecture) && hiddenSize != numAttentionHeads * headDim) {
      throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not num_attention_heads " + numAttentionHeads + " x head_dim " + headDim);
    }
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " " + value + " must be positive");
    }
  }

  private static String supported() {
    List<String> all = new ArrayList<>(DECODERS);
    all.addAll(ENCODERS);
    all.sort(null);
    return String.join(", ", all);
  }

  public String architecture() {
    return architectures.get(0);
  }

  public boolean isEncoder() {
    return ENCODERS.contains(architecture());
  }

  public ModelConfig withQuantization(QuantizationConfig q) {
    return new ModelConfig(architectures, modelType, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, vocabSize, maxPositionEmbeddings, tieWordEmbeddings, layerNormEps, typeVocabSize, hiddenAct, q);
  }

  public static ModelConfig read(Path configJson) {
    JsonNode root;
    try {
      root = JSON.readTree(configJson.toFile());
    } catch (IOException e) {
      throw new CheckpointException(configJson + ": cannot read: " + e.getMessage(), e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(configJson + ": " + e.getMessage(), e);
    }
  }

  /** @throws IllegalArgumentException naming the field that is missing or wrong */
  public static ModelConfig parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config is not a JSON object");
    }
    List<String> architectures = new ArrayList<>();
    JsonNode archs = root.get("architectures");
    if (archs == null || !archs.isArray() || archs.isEmpty()) {
      throw new IllegalArgumentException("no architectures; supported: " + supported());
    }
    archs.forEach(a -> architectures.add(a.asText()));
    boolean encoder = ENCODERS.contains(architectures.get(0));
    int hidden = requiredInt(root, "hidden_size");
    int heads = requiredInt(root, "num_attention_heads");
    int kvHeads = optionalInt(root, "num_key_value_heads", heads);
    int headDim = optionalInt(root, "head_dim", heads > 0 ? hidden / heads : 0);
    QuantizationConfig quantization = null;
    JsonNode q = root.get("quantization_config");
    if (q != null && !q.isNull()) {
      List<Integer> block = new ArrayList<>();
      JsonNode b = q.get("weight_block_size");
      if (b != null) {
        b.forEach(n -> block.add(n.asInt()));
      }
      quantization = new QuantizationConfig(text(q, "quant_method", null), text(q, "fmt", null), text(q, "activation_scheme", "dynamic"), block);
    }
    return new ModelConfig(
        architectures,
        text(root, "model_type", ""),
        hidden,
        requiredInt(root, "intermediate_size"),
        requiredInt(root, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        optionalDouble(root, "rms_norm_eps", 1e-6),
        optionalDouble(root, "rope_theta", 10000.0),
        requiredInt(root, "vocab_size"),
        optionalInt(root, "max_position_embeddings", encoder ? 512 : 2048),
        // transformers' PretrainedConfig ties by default; the decoder configs override it to false
        optionalBoolean(root, "tie_word_embeddings", encoder),
        optionalDouble(root, "layer_norm_eps", 1e-12),
        optionalInt(root, "type_vocab_size", 2),
        text(root, "hidden_act", encoder ? "gelu" : "silu"),
        quantization);
  }

  /** The config as config.json writes it (snake_case), for generated and converted checkpoints. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    var archs = o.putArray("architectures");
    architectures.forEach(archs::add);
    o.put("model_type", modelType);
    o.put("hidden_size", hiddenSize);
    o.put("intermediate_size", intermediateSize);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("num_attention_heads", numAttentionHeads);
    o.put("vocab_size", vocabSize);
    o.put("max_position_embeddings", maxPositionEmbeddings);
    o.put("tie_word_embeddings", tieWordEmbeddings);
    o.put("hidden_act", hiddenAct);
    if (isEncoder()) {
      o.put("layer_norm_eps", layerNormEps);
      o.put("type_vocab_size", typeVocabSize);
    } else {
      o.put("num_key_value_heads", numKeyValueHeads);
      o.put("head_dim", headDim);
      o.put("rms_norm_eps", rmsNormEps);
      o.put("rope_theta", ropeTheta);
    }
    if (quantization != null) {
      ObjectNode q = o.putObject("quantization_config");
      q.put("quant_method", quantization.quantMethod());
      q.put("fmt", quantization.fmt());
      q.put("activation_scheme", quantization.activationScheme());
      var block = q.putArray("weight_block_size");
      quantization.weightBlockSize().forEach(block::add);
    }
    return o;
  }

  private static int requiredInt(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.canConvertToInt()) {
      throw new IllegalArgumentException("missing or non-integer '" + field + "'");
    }
    return n.asInt();
  }

  private static int optionalInt(JsonNode root, String field, int otherwise) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.canConvertToInt()) {
      throw new IllegalArgumentException("'" + field + "' is not an integer: " + n);
    }
    return n.asInt();
  }

  private static double optionalDouble(JsonNode root, String field, double otherwise) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.isNumber()) {
      throw new IllegalArgumentException("'" + field + "' is not a number: " + n);
    }
    return n.asDouble();
  }

  private static boolean optionalBoolean(JsonNode root, String field, boolean otherwise) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? otherwise : n.asBoolean();
  }

  private static String text(JsonNode root, String field, String otherwise) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? otherwise : n.asText();
  }
}
