package dev.flashline.engine.loader;

import java.util.List;
import java.util.Map;

/**
 * One operator of an ONNX graph ({@code NodeProto}).
 *
 * @param inputs value names; an empty string is an optional input left out
 * @param domain empty for the default ONNX domain, {@code com.microsoft} for ONNX Runtime's contrib ops
 */
public record OnnxNode(
    String name, String opType, String domain, List<String> inputs, List<String> outputs, Map<String, OnnxAttribute> attributes) {

  public OnnxNode {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    attributes = Map.copyOf(attributes);
  }

  /** Input {@code i}, or "" when the node has fewer inputs (an optional input left out). */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  /** Output {@code i}, or "" when the node has fewer outputs. */
  public String output(int i) {
    return i < outputs.size() ? outputs.get(i) : "";
  }

  public OnnxAttribute attribute(String attributeName) {
    return attributes.get(attributeName);
  }

  /** How error messages name the node: its name, or its op type and first output when it has none. */
  public String describe() {
    return name.isEmpty() ? opType + " -> " + (outputs.isEmpty() ? "?" : outputs.get(0)) : opType + " '" + name + "'";
  }
}
