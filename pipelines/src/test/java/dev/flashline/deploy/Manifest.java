package dev.flashline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** One YAML document of a manifest file under deploy/. */
record Manifest(String file, int index, JsonNode node) {
  static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

  String apiVersion() {
    return node.path("apiVersion").asText("");
  }

  String kind() {
    return node.path("kind").asText("");
  }

  String name() {
    return node.path("metadata").path("name").asText("");
  }

  String namespace() {
    return node.path("metadata").path("namespace").asText("");
  }

  /** Where the document is, for messages: {@code deploy/k8s/50-nightly.yaml #2 (CronJob flashline-nightly-start)}. */
  String where() {
    return file + " #" + (index + 1) + " (" + kind() + " " + name() + ")";
  }

  /** A deep copy whose node can be changed (for the tests that break a manifest on purpose). */
  Manifest copy() {
    return new Manifest(file, index, node.deepCopy());
  }

  ObjectNode edit() {
    return (ObjectNode) node;
  }

  /** Every document of every *.yaml/*.yml file under {@code dir}, in file order. */
  static List<Manifest> loadAll(Path root, Path dir) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Manifest> out = new ArrayList<>();
    for (Path file : files) {
      out.addAll(parse(root.relativize(file).toString().replace('\\', '/'), RepoFiles.read(file)));
    }
    return out;
  }

  static List<Manifest> parse(String file, String yaml) {
    List<Manifest> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var docs = YAML.readValues(parser, JsonNode.class);
      int index = 0;
      while (docs.hasNext()) {
        JsonNode node = docs.next();
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue; // an empty document (a trailing ---)
        }
        out.add(new Manifest(file, index++, node));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
    }
    return out;
  }
}
