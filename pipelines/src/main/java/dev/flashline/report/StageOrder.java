package dev.flashline.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Puts cascade stages in the order records climbed them, learnt from the rows: within a row, the
 * charges run in the order the work was done, so a stage seen before another precedes it. The job
 * spec would say this directly, but the totals are all the report is built from.
 */
public final class StageOrder {
  private StageOrder() {}

  /**
   * The stages, each after every stage seen before it; by name where the rows do not say, and
   * where they contradict each other (a cycle) by name among the stages left.
   *
   * @param after stage -> stages seen after it in some row
   */
  public static List<String> sort(Collection<String> stages, Map<String, ? extends Collection<String>> after) {
    TreeSet<String> left = new TreeSet<>(stages);
    List<String> order = new ArrayList<>();
    while (!left.isEmpty()) {
      String next = left.stream().filter(stage -> !hasPredecessor(stage, left, after)).findFirst().orElse(left.first());
      order.add(next);
      left.remove(next);
    }
    return order;
  }

  private static boolean hasPredecessor(String stage, Set<String> left, Map<String, ? extends Collection<String>> after) {
    for (String other : left) {
      Collection<String> later = after.get(other);
      if (!other.equals(stage) && later != null && later.contains(stage)) {
        return true;
      }
    }
    return false;
  }
}
