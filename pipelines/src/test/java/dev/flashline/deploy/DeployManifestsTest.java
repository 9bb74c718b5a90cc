package dev.flashline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/'s Kubernetes manifests: each document is valid for the schema of its kind (Kubernetes
 * 1.27, the Flink Kubernetes Operator 1.10 CRD, the Prometheus Operator's PodMonitor; vendored in
 * src/test/resources/deploy-schemas) and they fit together and fit the repository
 * ({@link DeployChecks}). The tests that break a manifest on purpose show that each kind of
 * mistake is caught.
 */
class DeployManifestsTest {
  private static Path root;
  private static ManifestSchemas schemas;
  private static List<Manifest> manifests;

  @BeforeAll
  static void load() {
    root = RepoFiles.root();
    schemas = new ManifestSchemas();
    manifests = Manifest.loadAll(root, root.resolve("deploy"));
  }

  @Test
  void everyManifestIsValidForItsKind() {
    List<String> problems = new ArrayList<>();
    manifests.forEach(m -> problems.addAll(schemas.validate(m)));
    assertThat(problems).isEmpty();
    assertThat(manifests).extracting(Manifest::kind)
        .contains("Namespace", "Secret", "ConfigMap", "PersistentVolumeClaim", "Service", "StatefulSet", "FlinkDeployment", "CronJob",
            "PodMonitor", "Role", "RoleBinding", "ServiceAccount", "PodDisruptionBudget");
  }

  @Test
  void theManifestsFitTogetherAndFitTheRepository() {
    assertThat(new DeployChecks(root, manifests).run()).isEmpty();
  }

  @Test
  void thereIsABulkJobInApplicationModeAndAStreamingJob() {
    List<String> commands = manifests.stream().filter(m -> m.kind().equals("FlinkDeployment"))
        .map(m -> m.node().path("spec").path("job").path("args").path(0).asText()).toList();
    assertThat(commands).containsExactlyInAnyOrder("label", "stream");
    assertThat(manifests.stream().filter(m -> m.kind().equals("FlinkDeployment")))
        .allSatisfy(m -> assertThat(m.node().path("spec").path("job").path("jarURI").asText()).startsWith("local://"));
  }

  // ---- each kind of mistake is caught -------------------------------------------------------

  @Test
  void anUnknownFieldInAFlinkDeploymentIsAnError() {
    Manifest broken = change(isFlink("flashline-nightly"), m -> ((ObjectNode) m.path("spec").path("taskManager")).put("replica", 2));
    assertThat(schemas.validate(broken)).anySatisfy(p -> assertThat(p).contains("/spec/taskManager").contains("replica"));
  }

  @Test
  void anUnknownFieldInAKubernetesObjectIsAnError() {
    Manifest broken = change(is("StatefulSet", "flash-worker"),
        m -> ((ObjectNode) m.path("spec").path("template").path("spec").path("containers").path(0)).put("imagePullPolicyy", "Always"));
    assertThat(schemas.validate(broken)).anySatisfy(p -> assertThat(p).contains("imagePullPolicyy"));
  }

  @Test
  void aFieldOfTheWrongTypeIsAnError() {
    Manifest replicas = change(is("StatefulSet", "flash-worker"), m -> ((ObjectNode) m.path("spec")).put("replicas", "two"));
    assertThat(schemas.validate(replicas)).anySatisfy(p -> assertThat(p).contains("/spec/replicas"));
    Manifest parallelism = change(isFlink("flashline-stream"), m -> ((ObjectNode) m.path("spec").path("job")).put("parallelism", "eight"));
    assertThat(schemas.validate(parallelism)).anySatisfy(p -> assertThat(p).contains("/spec/job/parallelism"));
  }

  @Test
  void aMalformedQuantityOrEnumIsAnError() {
    Manifest memory = change(is("StatefulSet", "flash-worker"),
        m -> ((ObjectNode) m.path("spec").path("template").path("spec").path("containers").path(0).path("resources").path("limits"))
            .put("memory", "64GB"));
    assertThat(schemas.validate(memory)).anySatisfy(p -> assertThat(p).contains("resources/limits/memory"));
    Manifest upgrade = change(isFlink("flashline-stream"), m -> ((ObjectNode) m.path("spec").path("job")).put("upgradeMode", "savepoints"));
    assertThat(schemas.validate(upgrade)).anySatisfy(p -> assertThat(p).contains("/spec/job/upgradeMode"));
  }

  @Test
  void anUnknownKindIsAnError() {
    Manifest unknown = Manifest.parse("test.yaml", "apiVersion: v1\nkind: Sekret\nmetadata: {name: x, namespace: flashline}\n").get(0);
    assertThat(schemas.validate(unknown)).singleElement().asString().contains("no schema for apiVersion 'v1' kind 'Sekret'");
  }

  @Test
  void aMissingSecretKeyIsAnError() {
    List<String> problems = checkWith(isFlink("flashline-nightly"),
        m -> ((ObjectNode) m.path("spec").path("podTemplate").path("spec").path("containers").path(0).path("env").path(0)
            .path("valueFrom").path("secretKeyRef")).put("key", "deepseek-key"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("Secret 'flashline-api-keys' has no key 'deepseek-key'"));
  }

  @Test
  void aRealSecretValueIsAnError() {
    List<String> problems = checkWith(is("Secret", "flashline-api-keys"),
        m -> ((ObjectNode) m.path("stringData")).put("deepseek-api-key", "sk-0123456789abcdef"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("never check in a real secret"));
  }

  @Test
  void aJobSpecTheLoaderRefusesIsAnError() {
    List<String> problems = checkWith(is("ConfigMap", "flashline-jobs"), m -> {
      ObjectNode data = (ObjectNode) m.path("data");
      data.put("nightly.yaml", data.path("nightly.yaml").asText().replace("labels:", "lables:"));
    });
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("--job").contains("lables"));
  }

  @Test
  void anOptionTheCommandLineDoesNotHaveIsAnError() {
    List<String> problems = checkWith(isFlink("flashline-nightly"), m -> {
      var args = (com.fasterxml.jackson.databind.node.ArrayNode) m.path("spec").path("job").path("args");
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).asText().equals("--parallelism")) {
          args.set(i, com.fasterxml.jackson.databind.node.TextNode.valueOf("--paralelism"));
        }
      }
    });
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("refused by flashline").contains("--paralelism"));
  }

  @Test
  void anUnknownFlinkConfigurationKeyIsAnError() {
    List<String> problems = checkWith(isFlink("flashline-stream"),
        m -> ((ObjectNode) m.path("spec").path("flinkConfiguration")).put("state.checkpoint.dir", "s3://flashline/x"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("'state.checkpoint.dir' is not a Flink 1.19 option"));
  }

  @Test
  void aFlinkDeploymentWithoutWhatFlashlineNeedsOfAClusterIsAnError() {
    List<String> problems = checkWith(isFlink("flashline-nightly"), m -> {
      ObjectNode config = (ObjectNode) m.path("spec").path("flinkConfiguration");
      config.remove("classloader.parent-first-patterns.additional");
      config.put("env.java.opts.taskmanager", "-Xss2m");
    });
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("lacks classloader.parent-first-patterns.additional"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("lack --add-modules jdk.incubator.vector"));
  }

  @Test
  void aScheduleInPeakHoursIsAnError() {
    List<String> problems = checkWith(is("CronJob", "flashline-nightly-start"), m -> ((ObjectNode) m.path("spec")).put("schedule", "0 7 * * *"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("07:00 UTC is in peak hours on MONDAY"));
  }

  @Test
  void gpuWorkersAndTheReplicasTheStreamListsMustAgree() {
    List<String> problems = checkWith(is("StatefulSet", "flash-worker"), m -> ((ObjectNode) m.path("spec")).put("replicas", 3));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("every worker should be listed"));
    List<String> gpus = checkWith(is("StatefulSet", "flash-worker"),
        m -> ((ObjectNode) m.path("spec").path("template").path("spec").path("containers").path(0).path("resources").path("limits"))
            .put("nvidia.com/gpu", "2"));
    assertThat(gpus).anySatisfy(p -> assertThat(p).contains("requests (1) and limits (2) must be equal"))
        .anySatisfy(p -> assertThat(p).contains("TENSOR_PARALLEL_SIZE 1 does not use the 2 GPU(s)"));
  }

  @Test
  void anImageBuiltNowhereIsAnError() {
    List<String> problems = checkWith(isFlink("flashline-stream"), m -> ((ObjectNode) m.path("spec")).put("image", "flashline-jobs:0.1.0-SNAPSHOT"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("is built by no deploy/images/jobs/Dockerfile"));
    List<String> unpinned = checkWith(is("CronJob", "flashline-nightly-start"),
        m -> ((ObjectNode) m.path("spec").path("jobTemplate").path("spec").path("template").path("spec").path("containers").path(0))
            .put("image", "curlimages/curl:latest"));
    assertThat(unpinned).anySatisfy(p -> assertThat(p).contains("must be pinned to a version"));
  }

  @Test
  void aSchedulerScriptThatDoesNotParseIsAnError() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh here");
    List<String> problems = checkWith(is("ConfigMap", "flashline-scheduler"), m -> {
      ObjectNode data = (ObjectNode) m.path("data");
      data.put("start-nightly.sh", data.path("start-nightly.sh").asText().replace("esac", ""));
    });
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("data.start-nightly.sh is not a valid shell script"));
  }

  @Test
  void dockerfileInstructionsAreReadAcrossContinuationLines() {
    assertThat(DeployChecks.instructions("# c\nFROM a:1\nRUN x \\\n && y\nCOPY --chown=a:b s /d\n"))
        .containsExactly("FROM a:1", "RUN x  && y", "COPY --chown=a:b s /d");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Predicate<Manifest> is(String kind, String name) {
    return m -> m.kind().equals(kind) && m.name().equals(name);
  }

  private static Predicate<Manifest> isFlink(String name) {
    return is("FlinkDeployment", name);
  }

  /** A copy of the one manifest that matches, changed. */
  private static Manifest change(Predicate<Manifest> which, Consumer<JsonNode> edit) {
    Manifest copy = manifests.stream().filter(which).findFirst().orElseThrow().copy();
    edit.accept(copy.node());
    return copy;
  }

  /** The cross-checks over all manifests with one of them changed. */
  private static List<String> checkWith(Predicate<Manifest> which, Consumer<JsonNode> edit) {
    Manifest changed = change(which, edit);
    List<Manifest> all = manifests.stream().map(m -> which.test(m) ? changed : m).toList();
    return new DeployChecks(root, all).run();
  }
}
