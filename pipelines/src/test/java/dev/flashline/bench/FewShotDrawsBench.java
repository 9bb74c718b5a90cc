package dev.flashline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashline.backend.local.EncoderModel;
import dev.flashline.backend.local.EncoderModelSpec;
import dev.flashline.backend.local.FewShotClassifier;
import dev.flashline.backend.local.LocalBackend;
import dev.flashline.task.Example;
import dev.flashline.task.JobSpec;
import dev.flashline.task.JobSpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * How much the local backend's quality depends on which examples a job author happens to pick:
 * the sample job refitted with fresh random draws of k distinct examples per class, spam
 * precision/recall on the records that are not examples. Run by bench/few-shot-draws.sh.
 *
 * <p>Arguments: job.yaml input.jsonl draws k [k ...]
 */
public final class FewShotDrawsBench {
  public static void main(String[] args) throws Exception {
    JobSpec base = JobSpecLoader.load(Path.of(args[0]));
    int draws = Integer.parseInt(args[2]);
    ObjectMapper json = new ObjectMapper();
    List<String> texts = new ArrayList<>();
    List<String> gold = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[1]))) {
      if (!line.isBlank()) {
        JsonNode node = json.readTree(line);
        texts.add(node.get(base.textField()).asText());
        gold.add(node.get(base.goldField()).asText());
      }
    }
    try (EncoderModel model = EncoderModel.load(EncoderModelSpec.named(base.local().model()))) {
      float[][] vectors = new float[texts.size()][];
      IntStream.range(0, texts.size()).parallel().forEach(i -> vectors[i] = model.embed(texts.get(i)).vector());
      System.out.println("| examples per class | draws | spam precision, mean (min–max) | spam recall, mean (min–max) | accuracy, mean |");
      System.out.println("|---:|---:|---|---|---:|");
      for (int a = 3; a < args.length; a++) {
        int k = Integer.parseInt(args[a]);
        double[] precision = new double[draws];
        double[] recall = new double[draws];
        double[] accuracy = new double[draws];
        for (int draw = 0; draw < draws; draw++) {
          List<Integer> order = new ArrayList<>(IntStream.range(0, texts.size()).boxed().toList());
          Collections.shuffle(order, new Random(1000 + draw));
          List<Example> examples = new ArrayList<>();
          Set<Integer> used = new HashSet<>();
          Set<String> seen = new HashSet<>();
          for (String label : base.labelNames()) {
            for (int i : order) {
              if (examples.stream().filter(e -> e.label().equals(label)).count() == k) {
                break;
              }
              if (gold.get(i).equals(label) && seen.add(texts.get(i).strip())) {
                examples.add(new Example(texts.get(i), label));
                used.add(i);
              }
            }
          }
          JobSpec job = base.withExamples(examples);
          List<float[]> sample = order.stream().limit(job.local().adaptSample()).map(i -> vectors[i]).toList();
          FewShotClassifier classifier = LocalBackend.fit(model, job, sample);
          long tp = 0;
          long fp = 0;
          long fn = 0;
          long right = 0;
          long judged = 0;
          for (int i = 0; i < texts.size(); i++) {
            if (seen.contains(texts.get(i).strip())) {
              continue;
            }
            String predicted = classifier.predict(vectors[i]).label();
            judged++;
            right += predicted.equals(gold.get(i)) ? 1 : 0;
            boolean p = predicted.equals("spam");
            boolean t = gold.get(i).equals("spam");
            tp += p && t ? 1 : 0;
            fp += p && !t ? 1 : 0;
            fn += !p && t ? 1 : 0;
          }
          precision[draw] = (double) tp / (tp + fp);
          recall[draw] = (double) tp / (tp + fn);
          accuracy[draw] = (double) right / judged;
        }
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) | %.3f |%n",
            k, draws, mean(precision), min(precision), max(precision), mean(recall), min(recall), max(recall), mean(accuracy));
      }
    }
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }
}
