package dev.flashline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flashline.cluster.FlinkJobSettings;
import dev.flashline.beam.CostMetrics;
import dev.flashline.beam.JobProgress;
import dev.flashline.cli.Flashline;
import dev.flashline.cost.PriceSchedule;
import dev.flashline.cost.PriceScheduleException;
import dev.flashline.cost.UnpricedModelException;
import dev.flashline.schedule.OffPeakWindows;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecException;
import dev.flashline.task.JobSpecLoader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What the schemas cannot see: that the manifests under deploy/ fit together and fit the
 * repository. Every Secret, ConfigMap (and key), volume, service account and role they name is
 * defined there; Services, PodMonitors and disruption budgets select pods that exist and name
 * ports those pods have; every image is built by a Dockerfile in deploy/images (or is a pinned
 * third-party image), and every file those Dockerfiles copy exists or is the jar the build makes;
 * the FlinkDeployments run a real entry class with arguments the real command line accepts, read
 * job specs and price schedules that Flashline's own loaders accept, and set only configuration
 * keys Flink knows; the GPU workers are the replicas the stream's job spec lists; the nightly
 * schedule falls off-peak; no real secret is checked in; and docs/deploy.md names the metrics.
 */
final class DeployChecks {
  static final String IMAGE_PREFIX = "flashline-";
  /** Images not built here, each pinned to a version, and why they are used. */
  static final Map<String, String> THIRD_PARTY_IMAGES = Map.of("curlimages/curl", "the HTTP client of the nightly CronJob");
  /** Where the shaded jar lands: pipelines/pom.xml's dist profile. */
  static final String BUILT_JAR = "pipelines/target/flashline.jar";
  /** The jars with native code for a Flink distribution's lib/, which pipelines/pom.xml's dist profile copies. */
  static final String BUILT_LIB = "pipelines/target/flink-lib/";
  static final String FLINK_MAIN_CONTAINER = "flink-main-container";
  /** Environment variables the GPU worker image reads that its entry script does not. */
  static final Set<String> READ_BY_VLLM = Set.of("VLLM_API_KEY");
  private static final Pattern CLUSTER_HOST = Pattern.compile("([a-z0-9-]+)-([0-9]+)\\.([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local");
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

  private final Path root;
  private final List<Manifest> manifests;
  private final List<String> problems = new ArrayList<>();

  /** A pod template and what owns it. */
  record Pod(Manifest owner, JsonNode labels, JsonNode spec, String serviceAccount) {}

  DeployChecks(Path root, List<Manifest> manifests) {
    this.root = root;
    this.manifests = manifests;
  }

  List<String> run() {
    problems.clear();
    namespaces();
    secretsArePlaceholders();
    List<Pod> pods = pods();
    for (Pod pod : pods) {
      podReferences(pod);
    }
    selectors(pods);
    statefulSets();
    rbac();
    images(pods);
    dockerfiles();
    for (Manifest m : of("FlinkDeployment")) {
      flinkDeployment(m);
    }
    for (Manifest m : of("CronJob")) {
      cronJob(m);
    }
    metricsDocumented();
    shellScripts();
    return List.copyOf(problems);
  }

  /** Shell scripts kept in ConfigMaps parse ({@code sh -n}), where this machine has a shell. */
  private void shellScripts() {
    Path sh = Path.of("/bin/sh");
    if (!Files.isExecutable(sh)) {
      return;
    }
    for (Manifest m : of("ConfigMap")) {
      m.node().path("data").fields().forEachRemaining(e -> {
        if (!e.getKey().endsWith(".sh")) {
          return;
        }
        try {
          Path file = Files.createTempFile("deploy-check", ".sh");
          try {
            Files.writeString(file, e.getValue().asText());
            Process process = new ProcessBuilder(sh.toString(), "-n", file.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
              problem(m, "data." + e.getKey() + " is not a valid shell script: " + output.strip());
            }
          } finally {
            Files.deleteIfExists(file);
          }
        } catch (java.io.IOException | InterruptedException ex) {
          throw new IllegalStateException("cannot run sh -n: " + ex, ex);
        }
      });
    }
  }

  // ---- the objects --------------------------------------------------------------------------

  private List<Manifest> of(String kind) {
    return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
  }

  private Optional<Manifest> find(String kind, String name) {
    return manifests.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst();
  }

  private Set<String> keys(String kind, String name) {
    Set<String> keys = new LinkedHashSet<>();
    find(kind, name).ifPresent(m -> {
      for (String field : List.of("data", "stringData", "binaryData")) {
        m.node().path(field).fieldNames().forEachRemaining(keys::add);
      }
    });
    return keys;
  }

  private void problem(Manifest where, String message) {
    problems.add(where.where() + ": " + message);
  }

  private void namespaces() {
    Set<String> defined = new LinkedHashSet<>();
    of("Namespace").forEach(m -> defined.add(m.name()));
    for (Manifest m : manifests) {
      if (!CLUSTER_SCOPED.contains(m.kind()) && !defined.contains(m.namespace())) {
        problem(m, "metadata.namespace '" + m.namespace() + "' is not a Namespace defined in deploy/ " + defined);
      }
    }
  }

  /** A Secret in the repository holds placeholders only, and lives with the templates. */
  private void secretsArePlaceholders() {
    for (Manifest m : of("Secret")) {
      if (!m.file().startsWith("deploy/k8s/secrets/")) {
        problem(m, "Secrets belong in deploy/k8s/secrets/ (templates that `kubectl apply -f deploy/k8s/` leaves alone)");
      }
      if (m.node().has("data")) {
        problem(m, "a Secret template must not carry data (base64 values); use stringData placeholders");
      }
      m.node().path("stringData").fields().forEachRemaining(e -> {
        if (!e.getValue().asText().startsWith("REPLACE-")) {
          problem(m, "stringData." + e.getKey() + " is not a placeholder (REPLACE-...): never check in a real secret");
        }
      });
    }
  }

  private List<Pod> pods() {
    List<Pod> pods = new ArrayList<>();
    for (Manifest m : manifests) {
      JsonNode node = m.node();
      switch (m.kind()) {
        case "StatefulSet", "Deployment" -> {
          JsonNode template = node.path("spec").path("template");
          pods.add(new Pod(m, template.path("metadata").path("labels"), template.path("spec"), template.path("spec").path("serviceAccountName").asText(null)));
        }
        case "CronJob" -> {
          JsonNode template = node.path("spec").path("jobTemplate").path("spec").path("template");
          pods.add(new Pod(m, template.path("metadata").path("labels"), template.path("spec"), template.path("spec").path("serviceAccountName").asText(null)));
        }
        case "FlinkDeployment" -> {
          String account = node.path("spec").path("serviceAccount").asText(null);
          for (JsonNode template : List.of(node.path("spec").path("podTemplate"), node.path("spec").path("jobManager").path("podTemplate"),
              node.path("spec").path("taskManager").path("podTemplate"))) {
            if (!template.isMissingNode()) {
              pods.add(new Pod(m, template.path("metadata").path("labels"), template.path("spec"), account));
            }
          }
        }
        default -> { }
      }
    }
    return pods;
  }

  private static List<JsonNode> containers(JsonNode podSpec) {
    List<JsonNode> out = new ArrayList<>();
    podSpec.path("initContainers").forEach(out::add);
    podSpec.path("containers").forEach(out::add);
    return out;
  }

  private void podReferences(Pod pod) {
    Manifest m = pod.owner();
    if (pod.serviceAccount() != null && find("ServiceAccount", pod.serviceAccount()).isEmpty()) {
      problem(m, "service account '" + pod.serviceAccount() + "' is not defined in deploy/");
    }
    Map<String, JsonNode> volumes = new HashMap<>();
    for (JsonNode volume : pod.spec().path("volumes")) {
      volumes.put(volume.path("name").asText(), volume);
      if (volume.has("configMap")) {
        referencedKeys(m, "ConfigMap", volume.path("configMap").path("name").asText(), volume.path("configMap").path("items"));
      }
      if (volume.has("secret")) {
        referencedKeys(m, "Secret", volume.path("secret").path("secretName").asText(), volume.path("secret").path("items"));
      }
      if (volume.has("persistentVolumeClaim")) {
        String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
        if (find("PersistentVolumeClaim", claim).isEmpty()) {
          problem(m, "volume '" + volume.path("name").asText() + "': PersistentVolumeClaim '" + claim + "' is not defined in deploy/");
        }
      }
    }
    for (JsonNode container : containers(pod.spec())) {
      String c = "container '" + container.path("name").asText() + "'";
      for (JsonNode env : container.path("env")) {
        JsonNode from = env.path("valueFrom");
        for (String[] ref : new String[][] {{"secretKeyRef", "Secret"}, {"configMapKeyRef", "ConfigMap"}}) {
          JsonNode selector = from.path(ref[0]);
          if (selector.isObject() && !selector.path("optional").asBoolean(false)) {
            String name = selector.path("name").asText();
            String key = selector.path("key").asText();
            if (find(ref[1], name).isEmpty()) {
              problem(m, c + " env " + env.path("name").asText() + ": " + ref[1] + " '" + name + "' is not defined in deploy/");
            } else if (!keys(ref[1], name).contains(key)) {
              problem(m, c + " env " + env.path("name").asText() + ": " + ref[1] + " '" + name + "' has no key '" + key + "' (it has " + keys(ref[1], name) + ")");
            }
          }
        }
      }
      for (JsonNode source : container.path("envFrom")) {
        for (String[] ref : new String[][] {{"secretRef", "Secret"}, {"configMapRef", "ConfigMap"}}) {
          JsonNode selector = source.path(ref[0]);
          if (selector.isObject() && !selector.path("optional").asBoolean(false) && find(ref[1], selector.path("name").asText()).isEmpty()) {
            problem(m, c + " envFrom: " + ref[1] + " '" + selector.path("name").asText() + "' is not defined in deploy/");
          }
        }
      }
      for (JsonNode mount : container.path("volumeMounts")) {
        if (!volumes.containsKey(mount.path("name").asText())) {
          problem(m, c + " mounts volume '" + mount.path("name").asText() + "', which the pod does not have");
        }
      }
      Set<String> portNames = new LinkedHashSet<>();
      container.path("ports").forEach(p -> portNames.add(p.path("name").asText()));
      for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
        for (String action : List.of("httpGet", "tcpSocket")) {
          JsonNode port = container.path(probe).path(action).path("port");
          if (port.isTextual() && !portNames.contains(port.asText())) {
            problem(m, c + " " + probe + " uses port '" + port.asText() + "', which the container does not name " + portNames);
          }
        }
      }
      gpu(m, container, c);
    }
  }

  private void referencedKeys(Manifest m, String kind, String name, JsonNode items) {
    if (find(kind, name).isEmpty()) {
      problem(m, kind + " '" + name + "' is not defined in deploy/");
      return;
    }
    Set<String> keys = keys(kind, name);
    for (JsonNode item : items) {
      if (!keys.contains(item.path("key").asText())) {
        problem(m, kind + " '" + name + "' has no key '" + item.path("key").asText() + "' (it has " + keys + ")");
      }
    }
  }

  /** Extended resources need requests equal to limits, and vLLM's tensor parallelism must use every GPU. */
  private void gpu(Manifest m, JsonNode container, String c) {
    JsonNode requests = container.path("resources").path("requests").path("nvidia.com/gpu");
    JsonNode limits = container.path("resources").path("limits").path("nvidia.com/gpu");
    if (requests.isMissingNode() && limits.isMissingNode()) {
      return;
    }
    if (!requests.asText().equals(limits.asText())) {
      problem(m, c + ": nvidia.com/gpu requests (" + requests.asText() + ") and limits (" + limits.asText() + ") must be equal");
    }
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals("TENSOR_PARALLEL_SIZE") && !env.path("value").asText().equals(limits.asText())) {
        problem(m, c + ": TENSOR_PARALLEL_SIZE " + env.path("value").asText() + " does not use the " + limits.asText() + " GPU(s) the pod gets");
      }
    }
  }

  // ---- selectors ----------------------------------------------------------------------------

  private static boolean matches(JsonNode selector, JsonNode labels) {
    JsonNode matchLabels = selector.has("matchLabels") || selector.has("matchExpressions") ? selector.path("matchLabels") : selector;
    for (var it = matchLabels.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String value = labels.path(expression.path("key").asText()).asText(null);
      Set<String> values = new LinkedHashSet<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      boolean ok = switch (expression.path("operator").asText()) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private List<Pod> selected(Manifest m, JsonNode selector, List<Pod> pods) {
    boolean empty = selector.isMissingNode() || (selector.size() == 0);
    List<Pod> out = pods.stream().filter(p -> p.owner().namespace().equals(m.namespace()) && !empty && matches(selector, p.labels())).toList();
    if (out.isEmpty()) {
      problem(m, "its selector " + selector + " matches no pod template in deploy/");
    }
    return out;
  }

  private static Set<String> portNames(List<Pod> pods, boolean numbers) {
    Set<String> names = new LinkedHashSet<>();
    for (Pod pod : pods) {
      for (JsonNode container : containers(pod.spec())) {
        container.path("ports").forEach(p -> names.add(numbers ? p.path("containerPort").asText() : p.path("name").asText()));
      }
    }
    return names;
  }

  private void selectors(List<Pod> pods) {
    for (Manifest m : of("Service")) {
      List<Pod> chosen = selected(m, m.node().path("spec").path("selector"), pods);
      for (JsonNode port : m.node().path("spec").path("ports")) {
        JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
        Set<String> names = portNames(chosen, !target.isTextual());
        if (!chosen.isEmpty() && !names.contains(target.asText())) {
          problem(m, "port '" + port.path("name").asText() + "' targets " + target.asText() + ", which no selected container has " + names);
        }
      }
    }
    for (Manifest m : of("PodDisruptionBudget")) {
      selected(m, m.node().path("spec").path("selector"), pods);
    }
    for (Manifest m : of("PodMonitor")) {
      List<Pod> chosen = selected(m, m.node().path("spec").path("selector"), pods);
      Set<String> names = portNames(chosen, false);
      for (JsonNode endpoint : m.node().path("spec").path("podMetricsEndpoints")) {
        if (!chosen.isEmpty() && !names.contains(endpoint.path("port").asText())) {
          problem(m, "endpoint port '" + endpoint.path("port").asText() + "' is not a port the selected pods name " + names);
        }
      }
    }
  }

  private void statefulSets() {
    for (Manifest m : of("StatefulSet")) {
      JsonNode spec = m.node().path("spec");
      Optional<Manifest> service = find("Service", spec.path("serviceName").asText());
      if (service.isEmpty()) {
        problem(m, "serviceName '" + spec.path("serviceName").asText() + "' is not a Service in deploy/");
      } else if (!"None".equals(service.get().node().path("spec").path("clusterIP").asText())) {
        problem(m, "its Service '" + service.get().name() + "' must be headless (clusterIP: None) for per-pod DNS names");
      }
      if (!matches(spec.path("selector"), spec.path("template").path("metadata").path("labels"))) {
        problem(m, "spec.selector does not match the pod template's labels");
      }
    }
  }

  private void rbac() {
    for (Manifest m : of("RoleBinding")) {
      JsonNode ref = m.node().path("roleRef");
      if (!"Role".equals(ref.path("kind").asText()) || find("Role", ref.path("name").asText()).isEmpty()) {
        problem(m, "roleRef " + ref.path("kind").asText() + " '" + ref.path("name").asText() + "' is not a Role in deploy/");
      }
      for (JsonNode subject : m.node().path("subjects")) {
        if ("ServiceAccount".equals(subject.path("kind").asText()) && find("ServiceAccount", subject.path("name").asText()).isEmpty()) {
          problem(m, "subject ServiceAccount '" + subject.path("name").asText() + "' is not defined in deploy/");
        }
      }
    }
  }

  // ---- images and Dockerfiles -----------------------------------------------------------------

  String projectVersion() {
    Matcher matcher = Pattern.compile("<artifactId>flashline-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(RepoFiles.read(root.resolve("pom.xml")));
    if (!matcher.find()) {
      throw new IllegalStateException("no version in pom.xml");
    }
    return matcher.group(1);
  }

  private void images(List<Pod> pods) {
    Map<String, Manifest> images = new LinkedHashMap<>();
    for (Pod pod : pods) {
      for (JsonNode container : containers(pod.spec())) {
        if (container.has("image")) {
          images.put(container.path("image").asText(), pod.owner());
        }
      }
    }
    for (Manifest m : of("FlinkDeployment")) {
      images.put(m.node().path("spec").path("image").asText(), m);
    }
    Set<String> built = new LinkedHashSet<>();
    for (var e : images.entrySet()) {
      String image = e.getKey();
      int colon = image.lastIndexOf(':');
      String name = colon < 0 ? image : image.substring(0, colon);
      String tag = colon < 0 ? "" : image.substring(colon + 1);
      if (name.startsWith(IMAGE_PREFIX)) {
        String folder = name.substring(IMAGE_PREFIX.length());
        built.add(folder);
        if (!Files.isRegularFile(root.resolve("deploy/images/" + folder + "/Dockerfile"))) {
          problem(e.getValue(), "image " + image + " is built by no deploy/images/" + folder + "/Dockerfile");
        }
        if (!tag.equals(projectVersion())) {
          problem(e.getValue(), "image " + image + " should carry the project's version " + projectVersion());
        }
      } else if (!THIRD_PARTY_IMAGES.containsKey(name)) {
        problem(e.getValue(), "image " + image + " is neither built in deploy/images (" + IMAGE_PREFIX + "<folder>) nor a known third-party image "
            + THIRD_PARTY_IMAGES.keySet());
      } else if (!tag.matches(".*[0-9].*") || tag.equals("latest")) {
        problem(e.getValue(), "image " + image + " must be pinned to a version");
      }
    }
    try (var folders = Files.list(root.resolve("deploy/images"))) {
      folders.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(f -> !built.contains(f))
          .forEach(f -> problems.add("deploy/images/" + f + ": no manifest uses image " + IMAGE_PREFIX + f));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Dockerfiles under deploy/images: pinned base images, and every copied file exists (or is the built jar) and is in the build context. */
  private void dockerfiles() {
    List<Path> dockerfiles;
    try (var walk = Files.walk(root.resolve("deploy/images"))) {
      dockerfiles = walk.filter(p -> p.getFileName().toString().equals("Dockerfile")).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (Path dockerfile : dockerfiles) {
      String where = root.relativize(dockerfile).toString();
      Map<String, String> args = new HashMap<>();
      Path ignore = dockerfile.resolveSibling("Dockerfile.dockerignore");
      List<String> included = Files.exists(ignore)
          ? RepoFiles.read(ignore).lines().map(String::strip).filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList()
          : null;
      for (String line : instructions(RepoFiles.read(dockerfile))) {
        String[] words = line.split("\\s+");
        switch (words[0].toUpperCase()) {
          case "ARG" -> {
            String[] kv = words[1].split("=", 2);
            args.put(kv[0], kv.length > 1 ? kv[1] : "");
          }
          case "FROM" -> {
            String base = substitute(words[1], args);
            String tag = base.contains(":") ? base.substring(base.lastIndexOf(':') + 1) : "";
            if (!tag.matches(".*[0-9].*")) {
              problems.add(where + ": base image " + base + " must be pinned to a version");
            }
          }
          case "COPY", "ADD" -> {
            List<String> operands = new ArrayList<>();
            for (String word : words) {
              if (!word.startsWith("--") && !word.equalsIgnoreCase("COPY") && !word.equalsIgnoreCase("ADD")) {
                operands.add(word);
              }
            }
            for (String source : operands.subList(0, operands.size() - 1)) {
              if (source.equals(BUILT_JAR)) {
                if (!RepoFiles.read(root.resolve("pipelines/pom.xml")).contains("<outputFile>${project.build.directory}/flashline.jar</outputFile>")) {
                  problems.add(where + ": copies " + source + ", which pipelines/pom.xml's dist profile no longer builds");
                }
              } else if (source.equals(BUILT_LIB)) {
                if (!RepoFiles.read(root.resolve("pipelines/pom.xml")).contains("<outputDirectory>${project.build.directory}/flink-lib</outputDirectory>")) {
                  problems.add(where + ": copies " + source + ", which pipelines/pom.xml's dist profile no longer fills");
                }
              } else if (!Files.exists(root.resolve(source))) {
                problems.add(where + ": copies " + source + ", which is not in the repository");
              }
              if (included != null && !included.contains(source)) {
                problems.add(where + ": copies " + source + ", which Dockerfile.dockerignore keeps out of the build context");
              }
            }
          }
          default -> { }
        }
      }
    }
  }

  /** Dockerfile instructions, comments dropped and continuation lines joined. */
  static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : dockerfile.lines().toList()) {
      String line = raw.strip();
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      boolean more = line.endsWith("\\");
      current.append(more ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!more) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  private static String substitute(String value, Map<String, String> args) {
    Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), "")));
    }
    return m.appendTail(out).toString();
  }

  // ---- FlinkDeployments -------------------------------------------------------------------------

  private JsonNode mainContainer(Manifest m) {
    for (JsonNode container : m.node().path("spec").path("podTemplate").path("spec").path("containers")) {
      if (container.path("name").asText().equals(FLINK_MAIN_CONTAINER)) {
        return container;
      }
    }
    return null;
  }

  /** The volume behind a path in a container: {configMap name, key} or {pvc claim, rest}. */
  private Optional<String[]> resolve(JsonNode podSpec, JsonNode container, String path) {
    JsonNode best = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      String at = mount.path("mountPath").asText();
      if ((path.equals(at) || path.startsWith(at.endsWith("/") ? at : at + "/"))
          && (best == null || at.length() > best.path("mountPath").asText().length())) {
        best = mount;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    String rest = path.substring(best.path("mountPath").asText().length()).replaceFirst("^/", "");
    for (JsonNode volume : podSpec.path("volumes")) {
      if (volume.path("name").asText().equals(best.path("name").asText())) {
        if (volume.has("configMap")) {
          return Optional.of(new String[] {"ConfigMap", volume.path("configMap").path("name").asText(), rest});
        }
        if (volume.has("persistentVolumeClaim")) {
          return Optional.of(new String[] {"PersistentVolumeClaim", volume.path("persistentVolumeClaim").path("claimName").asText(), rest});
        }
        return Optional.of(new String[] {"other", volume.path("name").asText(), rest});
      }
    }
    return Optional.empty();
  }

  /** The text of a file a container reads from a mounted ConfigMap, or null (with a problem). */
  private String configFile(Manifest m, JsonNode podSpec, JsonNode container, String option, String path) {
    Optional<String[]> volume = resolve(podSpec, container, path);
    if (volume.isEmpty() || !volume.get()[0].equals("ConfigMap")) {
      problem(m, option + " " + path + " is not under a ConfigMap mounted in the container");
      return null;
    }
    Optional<Manifest> map = find("ConfigMap", volume.get()[1]);
    String key = volume.get()[2];
    if (map.isEmpty() || !map.get().node().path("data").has(key)) {
      problem(m, option + " " + path + ": ConfigMap '" + volume.get()[1] + "' has no key '" + key + "'");
      return null;
    }
    return map.get().node().path("data").path(key).asText();
  }

  private void flinkDeployment(Manifest m) {
    JsonNode spec = m.node().path("spec");
    JsonNode podSpec = spec.path("podTemplate").path("spec");
    JsonNode container = mainContainer(m);
    if (container == null) {
      problem(m, "the pod template has no container named " + FLINK_MAIN_CONTAINER + " (the operator merges env, ports and mounts into it)");
      return;
    }
    Set<String> env = new LinkedHashSet<>();
    container.path("env").forEach(e -> env.add(e.path("name").asText()));
    JsonNode job = spec.path("job");

    // The jar and the entry class.
    String jar = job.path("jarURI").asText();
    String image = spec.path("image").asText();
    String folder = image.startsWith(IMAGE_PREFIX) ? image.substring(IMAGE_PREFIX.length(), image.lastIndexOf(':') < 0 ? image.length() : image.lastIndexOf(':')) : "";
    Path dockerfile = root.resolve("deploy/images/" + folder + "/Dockerfile");
    if (!jar.startsWith("local://")) {
      problem(m, "job.jarURI " + jar + " should be a local:// path inside the image");
    } else if (Files.exists(dockerfile) && instructions(RepoFiles.read(dockerfile)).stream()
        .noneMatch(i -> i.toUpperCase().startsWith("COPY") && i.endsWith(" " + jar.substring("local://".length())))) {
      problem(m, "job.jarURI " + jar + ": deploy/images/" + folder + "/Dockerfile copies nothing there");
    }
    entryClass(m, job.path("entryClass").asText());

    // The arguments, parsed by the real command line.
    List<String> args = new ArrayList<>();
    job.path("args").forEach(a -> args.add(a.asText()));
    CommandLine.ParseResult sub;
    try {
      CommandLine.ParseResult parsed = new CommandLine(new Flashline()).parseArgs(args.toArray(String[]::new));
      sub = parsed.subcommand();
      if (sub == null) {
        problem(m, "job.args name no flashline command: " + args);
        return;
      }
    } catch (CommandLine.ParameterException e) {
      problem(m, "job.args are refused by flashline: " + e.getMessage());
      return;
    }
    Map<String, String> options = new HashMap<>();
    for (CommandLine.Model.OptionSpec option : sub.matchedOptions()) {
      options.put(option.longestName(), option.stringValues().isEmpty() ? "" : option.stringValues().get(0));
    }
    if (!"flink".equals(options.get("--runner")) || !"[auto]".equals(options.get("--flink-master"))) {
      problem(m, "job.args must run on the application cluster itself: --runner flink --flink-master [auto]");
    }
    if (!String.valueOf(job.path("parallelism").asInt()).equals(options.get("--parallelism"))) {
      problem(m, "--parallelism " + options.get("--parallelism") + " differs from job.parallelism " + job.path("parallelism").asInt()
          + " (the command line defaults to the JobManager's cores otherwise)");
    }
    if (sub.commandSpec().name().equals("stream") && !options.containsKey("--detached")) {
      problem(m, "a stream in application mode needs --detached, or stopping the JobManager would cancel it");
    }
    for (String dataOption : List.of("--input", "--output", "--result-store", "--archive")) {
      if (options.containsKey(dataOption)) {
        Optional<String[]> volume = resolve(podSpec, container, options.get(dataOption));
        if (volume.isEmpty() || !volume.get()[0].equals("PersistentVolumeClaim")) {
          problem(m, dataOption + " " + options.get(dataOption) + " is not on a shared volume (a PersistentVolumeClaim mounted in the pods)");
        }
      }
    }
    PriceSchedule prices = PriceSchedule.defaults();
    if (options.containsKey("--prices")) {
      String text = configFile(m, podSpec, container, "--prices", options.get("--prices"));
      if (text != null) {
        try {
          prices = PriceSchedule.parse(text, options.get("--prices"));
        } catch (PriceScheduleException e) {
          problem(m, "--prices: " + e.getMessage());
        }
      }
    }
    if (options.containsKey("--job")) {
      String text = configFile(m, podSpec, container, "--job", options.get("--job"));
      if (text != null) {
        try {
          jobSpec(m, JobSpecLoader.parse(text, options.get("--job")), prices, env);
        } catch (JobSpecException e) {
          problem(m, "--job: " + e.getMessage());
        }
      }
    }

    // Flink's configuration.
    FlinkConfigKeys known = FlinkConfigKeys.get();
    JsonNode config = spec.path("flinkConfiguration");
    config.fieldNames().forEachRemaining(key -> {
      if (!known.known(key)) {
        problem(m, "flinkConfiguration key '" + key + "' is not a Flink 1.19 option");
      }
    });
    String opens = pomProperty("flink.java17.opens");
    for (String open : opens.split("\\s+")) {
      if (!config.path("env.java.opts.all").asText().contains(open)) {
        problem(m, "env.java.opts.all lacks " + open + " (pom.xml's flink.java17.opens, which the flashline launcher also uses)");
      }
    }
    FlinkJobSettings.config().forEach((key, value) -> {
      if (!config.path(key).asText().equals(value)) {
        problem(m, "flinkConfiguration lacks " + key + ": \"" + value + "\" (dev.flashline.cluster.FlinkJobSettings: every cluster"
            + " that runs Flashline needs it)");
      }
    });
    String taskManagerOpts = config.path("env.java.opts.all").asText() + " " + config.path("env.java.opts.taskmanager").asText();
    if (!taskManagerOpts.contains(String.join(" ", FlinkJobSettings.jvmOptions()))) {
      problem(m, "the TaskManagers' JVM options lack " + String.join(" ", FlinkJobSettings.jvmOptions()) + " (FlinkJobSettings)");
    }
    if (config.has("metrics.reporter.prom.port")
        && !portNames(List.of(new Pod(m, null, spec.path("podTemplate").path("spec"), null)), true).contains(config.path("metrics.reporter.prom.port").asText())) {
      problem(m, "the pods do not declare the Prometheus reporter's port " + config.path("metrics.reporter.prom.port").asText());
    }
    String upgrade = job.path("upgradeMode").asText("stateless");
    if (!upgrade.equals("stateless")) {
      for (String key : List.of("state.checkpoints.dir", "state.savepoints.dir", "high-availability.storageDir")) {
        if (!config.path(key).asText().startsWith("s3://")) {
          problem(m, "upgradeMode " + upgrade + " keeps state: " + key + " should be an s3:// location");
        }
      }
    }
    boolean s3 = false;
    for (var it = config.fields(); it.hasNext(); ) {
      s3 |= it.next().getValue().asText().startsWith("s3://");
    }
    if (s3 && Files.exists(dockerfile) && !RepoFiles.read(dockerfile).contains("/opt/flink/plugins/s3-fs-")) {
      problem(m, "flinkConfiguration uses s3:// but " + root.relativize(dockerfile) + " enables no S3 file system plugin");
    }
  }

  private void entryClass(Manifest m, String name) {
    try {
      Method main = Class.forName(name).getMethod("main", String[].class);
      if (!Modifier.isStatic(main.getModifiers())) {
        problem(m, "job.entryClass " + name + ": main is not static");
      }
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      problem(m, "job.entryClass " + name + " is not a class with a main method: " + e);
    }
  }

  /** A job spec a FlinkDeployment runs: its key is in the pod, its models have prices, its replicas are the GPU workers. */
  private void jobSpec(Manifest m, JobSpec job, PriceSchedule prices, Set<String> env) {
    if (!job.usesOpenAi()) {
      return;
    }
    var openai = job.openai();
    if (openai.apiKeyFile() == null && openai.apiKeyEnv() != null && !env.contains(openai.apiKeyEnv())) {
      problem(m, "job '" + job.name() + "' reads its API key from $" + openai.apiKeyEnv() + ", which the pods do not set " + env);
    }
    for (String model : job.openAiModels()) {
      try {
        prices.priceAt(model, Instant.now());
      } catch (UnpricedModelException e) {
        problem(m, "job '" + job.name() + "': " + e.getMessage());
      }
    }
    List<String> replicas = openai.replicas();
    if (replicas.isEmpty()) {
      return;
    }
    Map<String, Set<Integer>> ordinals = new LinkedHashMap<>();
    for (String replica : replicas) {
      URI uri = URI.create(replica);
      Matcher host = CLUSTER_HOST.matcher(uri.getHost() == null ? "" : uri.getHost());
      if (!host.matches()) {
        problem(m, "openai.replicas entry " + replica + " is not a pod of a StatefulSet (<name>-<n>.<service>.<namespace>.svc.cluster.local)");
        continue;
      }
      Optional<Manifest> set = find("StatefulSet", host.group(1));
      if (set.isEmpty() || !set.get().namespace().equals(host.group(4))
          || !set.get().node().path("spec").path("serviceName").asText().equals(host.group(3))) {
        problem(m, "openai.replicas entry " + replica + " names no StatefulSet '" + host.group(1) + "' with Service '" + host.group(3)
            + "' in namespace '" + host.group(4) + "'");
        continue;
      }
      ordinals.computeIfAbsent(host.group(1), k -> new LinkedHashSet<>()).add(Integer.parseInt(host.group(2)));
      Optional<Manifest> service = find("Service", host.group(3));
      boolean portOk = service.isPresent() && service.get().node().path("spec").path("ports").findValuesAsText("port").contains(String.valueOf(uri.getPort()));
      if (!portOk) {
        problem(m, "openai.replicas entry " + replica + ": Service '" + host.group(3) + "' has no port " + uri.getPort());
      }
      for (JsonNode container : set.get().node().path("spec").path("template").path("spec").path("containers")) {
        for (JsonNode e : container.path("env")) {
          if (e.path("name").asText().equals("SERVED_MODEL_NAME") && !job.openAiModels().contains(e.path("value").asText())) {
            problem(m, "job '" + job.name() + "' asks for " + job.openAiModels() + " but StatefulSet " + host.group(1) + " serves '" + e.path("value").asText() + "'");
          }
        }
      }
    }
    for (var e : ordinals.entrySet()) {
      int count = find("StatefulSet", e.getKey()).orElseThrow().node().path("spec").path("replicas").asInt(1);
      Set<Integer> expected = new LinkedHashSet<>();
      for (int i = 0; i < count; i++) {
        expected.add(i);
      }
      if (!e.getValue().equals(expected)) {
        problem(m, "openai.replicas lists pods " + e.getValue() + " of StatefulSet " + e.getKey() + ", which has " + count
            + " replicas " + expected + ": every worker should be listed, and only those");
      }
    }
  }

  private String pomProperty(String name) {
    Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(RepoFiles.read(root.resolve("pom.xml")));
    if (!matcher.find()) {
      throw new IllegalStateException("pom.xml has no property " + name);
    }
    return matcher.group(1).strip();
  }

  // ---- the nightly schedule -----------------------------------------------------------------

  /**
   * A CronJob that starts a FlinkDeployment: the script it runs is in a mounted ConfigMap, the
   * deployment it patches exists and is checked in suspended, its role may patch exactly that,
   * and the schedule falls in an off-peak window of the shipped prices on every day of the week
   * with hours to spare.
   */
  private void cronJob(Manifest m) {
    JsonNode spec = m.node().path("spec");
    JsonNode podSpec = spec.path("jobTemplate").path("spec").path("template").path("spec");
    String zone = spec.path("timeZone").asText("");
    if (!zone.equals("Etc/UTC") && !zone.equals("UTC")) {
      problem(m, "timeZone must be UTC (price windows are in UTC), got '" + zone + "'");
    }
    String[] fields = spec.path("schedule").asText().strip().split("\\s+");
    if (fields.length != 5 || !fields[0].matches("[0-9]+") || !fields[1].matches("[0-9]+")) {
      problem(m, "schedule '" + spec.path("schedule").asText() + "' should be 'MINUTE HOUR * * *' (once a day)");
      return;
    }
    LocalTime at = LocalTime.of(Integer.parseInt(fields[1]), Integer.parseInt(fields[0]));
    OffPeakWindows windows = new OffPeakWindows(PriceSchedule.defaults());
    LocalDate monday = LocalDate.now(ZoneOffset.UTC).plusDays(1).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
    for (int day = 0; day < 7; day++) {
      LocalDate date = monday.plusDays(day);
      Instant start = date.atTime(at).toInstant(ZoneOffset.UTC);
      if (!windows.isOffPeak(start)) {
        problem(m, "schedule " + at + " UTC is in peak hours on " + date.getDayOfWeek() + " (docs/prices.md)");
        continue;
      }
      Optional<Instant> end = windows.currentWindowEnd(start);
      if (end.isPresent() && Duration.between(start, end.get()).compareTo(Duration.ofHours(6)) < 0) {
        problem(m, "schedule " + at + " UTC leaves only " + Duration.between(start, end.get()) + " of off-peak time on " + date.getDayOfWeek());
      }
    }
    for (JsonNode container : containers(podSpec)) {
      List<String> words = new ArrayList<>();
      container.path("command").forEach(w -> words.add(w.asText()));
      container.path("args").forEach(w -> words.add(w.asText()));
      for (String word : words) {
        if (!word.startsWith("/")) {
          continue;
        }
        String script = configFile(m, podSpec, container, "the script", word);
        if (script == null) {
          continue;
        }
        Matcher target = Pattern.compile("flinkdeployments/([a-z0-9-]+)").matcher(script);
        if (!target.find()) {
          continue;
        }
        String name = target.group(1);
        Optional<Manifest> deployment = find("FlinkDeployment", name);
        if (deployment.isEmpty()) {
          problem(m, "its script starts FlinkDeployment '" + name + "', which deploy/ does not define");
          continue;
        }
        if (!"suspended".equals(deployment.get().node().path("spec").path("job").path("state").asText())) {
          problem(deployment.get(), "started by a schedule, so it must be checked in with job.state: suspended");
        }
        List<String> args = new ArrayList<>();
        deployment.get().node().path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        int when = args.indexOf("--when");
        if (when < 0 || when + 1 >= args.size() || !args.get(when + 1).equals("off-peak")) {
          problem(deployment.get(), "started at an off-peak hour, it should also pause at the window's end: --when off-peak");
        }
        boolean allowed = false;
        String account = podSpec.path("serviceAccountName").asText();
        for (Manifest binding : of("RoleBinding")) {
          boolean forAccount = binding.node().path("subjects").findValuesAsText("name").contains(account);
          Optional<Manifest> role = find("Role", binding.node().path("roleRef").path("name").asText());
          if (forAccount && role.isPresent()) {
            for (JsonNode rule : role.get().node().path("rules")) {
              allowed |= text(rule.path("resources")).contains("flinkdeployments")
                  && text(rule.path("verbs")).containsAll(List.of("get", "patch"))
                  && (rule.path("resourceNames").isMissingNode() || text(rule.path("resourceNames")).contains(name));
            }
          }
        }
        if (!allowed) {
          problem(m, "service account '" + account + "' may not get and patch FlinkDeployment '" + name + "'");
        }
      }
    }
  }

  private static List<String> text(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  // ---- docs ---------------------------------------------------------------------------------

  private void metricsDocumented() {
    Path doc = root.resolve("docs/deploy.md");
    String text = Files.exists(doc) ? RepoFiles.read(doc) : "";
    List<String> counters = new ArrayList<>(CostMetrics.COUNTERS);
    counters.add(JobProgress.COUNTER);
    for (String counter : counters) {
      String metric = "flink_taskmanager_job_task_operator_" + JobProgress.NAMESPACE + "_" + counter;
      if (!text.contains(metric)) {
        problems.add("docs/deploy.md does not mention the metric " + metric);
      }
    }
  }
}
