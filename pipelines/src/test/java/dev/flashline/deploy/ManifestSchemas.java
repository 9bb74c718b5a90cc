package dev.flashline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON schemas for every kind the manifests under deploy/ may use, from the files vendored in
 * {@code src/test/resources/deploy-schemas} (README.md there says where each comes from), and a
 * validator that checks a manifest against the schema of its apiVersion and kind.
 *
 * <p>The vendored schemas are used as shipped, with these changes made here when they are loaded,
 * so that they check what the API server and {@code kubectl apply} check:
 *
 * <ul>
 *   <li>An object schema that lists its properties and says nothing of others gets
 *       {@code additionalProperties: false}. kubectl validates strictly (an unknown field is an
 *       error), and the API server prunes unknown fields of custom resources, so a misspelt field
 *       would otherwise be dropped without a word. Maps (labels, data, flinkConfiguration) keep
 *       their {@code additionalProperties} schema; {@code x-kubernetes-preserve-unknown-fields}
 *       keeps an object open.
 *   <li>OpenAPI's {@code nullable: true} becomes a type that also allows null (a YAML field left
 *       empty).
 *   <li>Kubernetes' {@code quantity} format becomes the pattern of resource quantities
 *       ({@code 500m}, {@code 64Gi}, {@code "1"}); other formats (int32, int64, byte, date-time,
 *       int-or-string) are dropped, and {@code x-kubernetes-*} markers are removed once applied.
 *   <li>The Flink operator's CRD schema covers {@code spec} and {@code status}; the envelope every
 *       object has ({@code apiVersion}, {@code kind}, {@code metadata} as Kubernetes' ObjectMeta)
 *       is added, as the API server adds it.
 * </ul>
 */
final class ManifestSchemas {
  static final String RESOURCES = "/deploy-schemas/";
  static final String KUBERNETES = "kubernetes-1.27-definitions.json";
  static final String POD_MONITOR = "prometheus-operator-podmonitor.json";
  static final String FLINK_CRD = "flinkdeployments.flink.apache.org-v1.yml";

  /** Kubernetes' resource.Quantity: a signed decimal number and an optional SI, binary-SI or exponent suffix. */
  static final String QUANTITY = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Keywords whose value is data, not a schema. */
  private static final java.util.Set<String> VALUES = java.util.Set.of("enum", "required", "default", "example", "const");

  private final ObjectNode definitions = JsonNodeFactory.instance.objectNode();
  /** "apiVersion kind" to the definition id of its schema. */
  private final Map<String, String> kinds = new HashMap<>();
  private final Map<String, Schema> compiled = new HashMap<>();
  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);

  ManifestSchemas() {
    addDefinitions(readJson(KUBERNETES));
    addDefinitions(readJson(POD_MONITOR));
    addCustomResource(read(FLINK_CRD));
  }

  /** The apiVersion/kind pairs there is a schema for, sorted. */
  TreeSet<String> kinds() {
    return new TreeSet<>(kinds.keySet());
  }

  /** What is wrong with a manifest; empty when it is valid for its apiVersion and kind. */
  List<String> validate(Manifest manifest) {
    String key = manifest.apiVersion() + " " + manifest.kind();
    String id = kinds.get(key);
    if (id == null) {
      return List.of(manifest.where() + ": no schema for apiVersion '" + manifest.apiVersion() + "' kind '" + manifest.kind()
          + "' (known: " + String.join(", ", kinds()) + ")");
    }
    Schema schema = compiled.computeIfAbsent(id, this::compile);
    List<String> problems = new ArrayList<>();
    for (Error error : schema.validate(manifest.node())) {
      problems.add(manifest.where() + ": " + error.getInstanceLocation() + ": " + error.getMessage());
    }
    return problems;
  }

  private Schema compile(String id) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("$schema", "http://json-schema.org/draft-07/schema#");
    root.put("$ref", "#/definitions/" + id);
    root.set("definitions", definitions);
    return registry.getSchema(root);
  }

  private void addDefinitions(JsonNode file) {
    Iterator<Map.Entry<String, JsonNode>> fields = file.path("definitions").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> definition = fields.next();
      JsonNode schema = strict(definition.getValue().deepCopy());
      definitions.set(definition.getKey(), schema);
      JsonNode apiVersion = schema.path("properties").path("apiVersion").path("enum");
      JsonNode kind = schema.path("properties").path("kind").path("enum");
      if (apiVersion.size() == 1 && kind.size() == 1) {
        kinds.put(apiVersion.get(0).asText() + " " + kind.get(0).asText(), definition.getKey());
      }
    }
  }

  private void addCustomResource(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    String kind = spec.path("names").path("kind").asText();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean()) {
        continue;
      }
      String apiVersion = group + "/" + version.path("name").asText();
      ObjectNode schema = (ObjectNode) strict(version.path("schema").path("openAPIV3Schema").deepCopy());
      ObjectNode properties = (ObjectNode) schema.path("properties");
      properties.set("apiVersion", enumOf("string", apiVersion));
      properties.set("kind", enumOf("string", kind));
      properties.set("metadata", JsonNodeFactory.instance.objectNode().put("$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
      ArrayNode required = schema.withArray("required");
      for (String field : List.of("apiVersion", "kind", "metadata", "spec")) {
        required.add(field);
      }
      String id = apiVersion.replace('/', '.') + "." + kind;
      definitions.set(id, schema);
      kinds.put(apiVersion + " " + kind, id);
    }
  }

  private static ObjectNode enumOf(String type, String value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("type", type);
    node.putArray("enum").add(value);
    return node;
  }

  /** The changes described on the class, applied to every schema object in the tree. */
  static JsonNode strict(JsonNode node) {
    if (node.isArray()) {
      for (JsonNode item : node) {
        strict(item);
      }
      return node;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode schema = (ObjectNode) node;
    // Recurse first: into sub-schemas and into the property map (whose keys are field names).
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("properties") || field.getKey().equals("definitions")) {
        field.getValue().forEach(ManifestSchemas::strict);
      } else if (field.getValue().isContainerNode() && !VALUES.contains(field.getKey())) {
        strict(field.getValue());
      }
    }
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false) && !schema.has("anyOf") && !schema.has("oneOf")) {
      ArrayNode anyOf = schema.putArray("anyOf");
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
    }
    if (schema.path("nullable").asBoolean(false) && schema.path("type").isTextual()) {
      String type = schema.path("type").asText();
      schema.putArray("type").add(type).add("null");
    }
    schema.remove("nullable");
    if ("quantity".equals(schema.path("format").asText())) {
      schema.put("pattern", QUANTITY);
    }
    schema.remove("format");
    schema.remove(List.of("x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource",
        "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-patch-strategy",
        "x-kubernetes-patch-merge-key"));
    if (schema.has("properties") && !schema.has("additionalProperties") && !preserveUnknown) {
      schema.put("additionalProperties", false);
    }
    return schema;
  }

  private static JsonNode readJson(String name) {
    try (InputStream in = open(name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode read(String name) {
    try (InputStream in = open(name)) {
      return Manifest.YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = ManifestSchemas.class.getResourceAsStream(RESOURCES + name);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + RESOURCES + name);
    }
    return in;
  }
}
