package dev.flashline.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashline.schema.TaskType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jobs of several tasks over the same input, and the cost-control section of a spec. */
class JobSpecTasksTest {
  private static final String SOURCE = "tasks.yaml";

  private static final String MULTI =
      """
      name: tickets
      id_field: ticket_id
      backend: openai
      openai:
        model: deepseek-v4-flash
        replicas: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1/]
      cost:
        batch_size: 64
        priming: always
        max_cost_usd: 12.5
      tasks:
        - name: topic
          task: classify
          gold_field: topic_gold
          labels: [{name: billing}, {name: bug}]
        - name: urgency
          task: classify
          model: deepseek-v4-pro
          labels: [{name: urgent}, {name: routine}]
        - name: gist
          task: summarise
          summary: {max_words: 30}
      """;

  @Test
  void eachTaskBecomesAJobOfItsOwnWithTheTopLevelFilledIn() throws Exception {
    JobSpec spec = JobSpecLoader.parse(MULTI, SOURCE);

    assertThat(spec.isMultiTask()).isTrue();
    assertThat(spec.taskJobs()).extracting(JobSpec::name).containsExactly("topic", "urgency", "gist");
    JobSpec topic = spec.taskJobs().get(0);
    assertThat(topic.idField()).isEqualTo("ticket_id");
    assertThat(topic.goldField()).isEqualTo("topic_gold");
    assertThat(topic.effectiveBackend()).isEqualTo(BackendKind.openai);
    assertThat(topic.openai().model()).isEqualTo("deepseek-v4-flash");
    assertThat(spec.taskJobs().get(1).openai().model()).isEqualTo("deepseek-v4-pro");
    assertThat(spec.taskJobs().get(2).task()).isEqualTo(TaskType.summarise);
    assertThat(spec.taskJobs().get(2).summary().maxWords()).isEqualTo(30);
    assertThat(spec.openAiModels()).containsExactly("deepseek-v4-flash", "deepseek-v4-pro");
    assertThat(spec.taskLabel()).isEqualTo("classify+summarise");
    assertThat(spec.usesOpenAi()).isTrue();
    assertThat(spec.usesLocal()).isFalse();
    assertThat(spec.openai().endpoints()).containsExactly("http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1");
    assertThat(spec.cost().batchSize()).isEqualTo(64);
    assertThat(spec.cost().priming()).isEqualTo(CostSpec.Priming.always);
    assertThat(spec.cost().maxCostUsd()).isEqualTo(12.5);
    assertThat(topic.cost()).isEqualTo(spec.cost());
  }

  @Test
  void aJobOfOneTaskIsItsOwnOnlyTask() throws Exception {
    JobSpec spec = JobSpecLoader.parse("name: one\ntask: summarise\n", SOURCE);
    assertThat(spec.isMultiTask()).isFalse();
    assertThat(spec.taskJobs()).containsExactly(spec);
    assertThat(spec.cost()).isEqualTo(CostSpec.defaults());
    assertThat(spec.cost().grouping()).isTrue();
    assertThat(spec.cost().reuse()).isTrue();
    assertThat(spec.cost().maxCostUsd()).isNull();
  }

  @Test
  void theBackendFlagReachesEveryTask() throws Exception {
    JobSpec spec = JobSpecLoader.parse(MULTI, SOURCE).withBackend(BackendKind.local);
    assertThat(spec.taskJobs()).allSatisfy(t -> assertThat(t.effectiveBackend()).isEqualTo(BackendKind.local));
  }

  @Test
  void taskFieldsAtTheTopLevelOfAMultiTaskJobAreRejected() {
    String yaml = MULTI.replace("id_field: ticket_id", "id_field: ticket_id\nlabels: [{name: a}, {name: b}]");
    assertThatThrownBy(() -> JobSpecLoader.parse(yaml, SOURCE))
        .isInstanceOf(JobSpecException.class)
        .hasMessageContaining("sets labels in each task, not at the top level");
  }

  @Test
  void anInvalidTaskIsNamedInTheError() {
    String yaml = MULTI.replace("labels: [{name: urgent}, {name: routine}]", "labels: [{name: urgent}]");
    assertThatThrownBy(() -> JobSpecLoader.parse(yaml, SOURCE))
        .isInstanceOf(JobSpecException.class)
        .hasMessageContaining("'tasks[1]' (task 'urgency')")
        .hasMessageContaining("at least 2 labels");
  }

  @Test
  void duplicateTaskNamesAndUnknownFieldsAreRejected() {
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("name: gist", "name: topic"), SOURCE))
        .hasMessageContaining("task name 'topic' is used twice");
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("    task: summarise", "    task: summarise\n    lables: []").replace("  - name: gist\n    task: summarise\n    lables: []", "  - name: gist\n    task: summarise\n    lables: []"), SOURCE))
        .isInstanceOf(JobSpecException.class);
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("batch_size: 64", "batch_sise: 64"), SOURCE))
        .hasMessageContaining("unknown field 'cost.batch_sise'");
  }

  @Test
  void costLimitsAreChecked() {
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("max_cost_usd: 12.5", "max_cost_usd: -1"), SOURCE))
        .hasMessageContaining("cost.max_cost_usd must be a number >= 0");
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("batch_size: 64", "batch_size: 0"), SOURCE))
        .hasMessageContaining("cost.batch_size must be 1..100000");
    assertThatThrownBy(() -> JobSpecLoader.parse(MULTI.replace("priming: always", "priming: sometimes"), SOURCE))
        .isInstanceOf(JobSpecException.class)
        .hasMessageContaining("priming");
  }

  @Test
  void aTaskOnTheNativeBackendGetsTheJobsNativeSectionAndOnlyItUsesTheEngine() throws Exception {
    JobSpec job = JobSpecLoader.parse("""
        name: mixed
        native: {model: /models/qwen3-0.6b, kv_blocks: 1024}
        tasks:
          - name: topic
            task: classify
            backend: native
            labels: [{name: billing}, {name: bug}]
          - name: gist
            task: summarise
        """, SOURCE);
    assertThat(job.usesNative()).isTrue();
    List<JobSpec> tasks = job.taskJobs();
    assertThat(tasks.get(0).usesNative()).isTrue();
    assertThat(tasks.get(0).nativeModel().model()).isEqualTo("/models/qwen3-0.6b");
    assertThat(tasks.get(0).nativeModel().kvBlocks()).isEqualTo(1024);
    assertThat(tasks.get(0).route()).extracting(StageSpec::stage).containsExactly("native");
    assertThat(tasks.get(1).usesNative()).isFalse();
    assertThat(tasks.get(1).usesLocal()).isTrue();
  }

  @Test
  void aNativeTaskWithoutAModelIsRefusedNamingTheTask() {
    assertThatThrownBy(() -> JobSpecLoader.parse("""
        name: mixed
        tasks:
          - name: topic
            task: classify
            backend: native
            labels: [{name: billing}, {name: bug}]
        """, SOURCE))
        .hasMessageContaining("'tasks[0]' (task 'topic')")
        .hasMessageContaining("'native.model' is required");
  }

  @Test
  void nativeSettingsAreValidatedAndACascadeMayStartWithNativeOnly() {
    assertThatThrownBy(() -> JobSpecLoader.parse("name: t\ntask: summarise\nbackend: native\nnative: {model: m, block_size: 0}\n", SOURCE))
        .hasMessageContaining("'native.block_size' must be at least 1");
    assertThatThrownBy(() -> JobSpecLoader.parse("""
        name: t
        task: classify
        labels: [{name: a}, {name: b}]
        native: {model: m}
        cascade:
          - {stage: flash, accept_confidence: 0.9}
          - {stage: native}
        """, SOURCE))
        .hasMessageContaining("a native stage can only come first");
  }
}
