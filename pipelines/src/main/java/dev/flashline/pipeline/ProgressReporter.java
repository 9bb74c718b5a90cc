package dev.flashline.pipeline;

import dev.flashline.beam.JobProgress;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Prints done/total, rate and ETA while a job runs: rewritten in place on a terminal, a line every
 * ten seconds otherwise (logs, CI).
 */
final class ProgressReporter implements AutoCloseable {
  private static final long WINDOW_NANOS = 10_000_000_000L;

  private final String runId;
  private final long total;
  private final PrintWriter out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final ArrayDeque<long[]> history = new ArrayDeque<>(); // (nanos, done)
  private final Thread thread;
  /** Appended to each line when not null (off-peak scheduling: "paused at the window's end ..."). */
  private final Supplier<String> note;
  /** When the job runs on a Flink cluster: what its JobManager says, instead of counts this JVM cannot see. */
  private final Supplier<String> remote;
  private volatile boolean running = true;

  private ProgressReporter(String runId, long total, PrintWriter out, boolean terminal, Supplier<String> note, Supplier<String> remote) {
    this.runId = runId;
    this.total = total;
    this.out = out;
    this.terminal = terminal;
    this.note = note;
    this.remote = remote;
    // The rate of the first report is then the average since the start.
    history.addLast(new long[] {started, 0});
    this.thread = new Thread(this::loop, "flashline-progress");
    thread.setDaemon(true);
  }

  static ProgressReporter start(String runId, long total, PrintWriter out, boolean enabled) {
    return start(runId, total, out, enabled, null);
  }

  /** @param note a line's ending, or null for none (asked once per line) */
  static ProgressReporter start(String runId, long total, PrintWriter out, boolean enabled, Supplier<String> note) {
    ProgressReporter reporter = new ProgressReporter(runId, total, out, System.console() != null, note, null);
    if (enabled) {
      reporter.thread.start();
    }
    return reporter;
  }

  /**
   * For a job on a Flink cluster, whose workers count in other JVMs: a line every ten seconds with
   * what {@code status} says (the JobManager's view: state, TaskManagers, restarts).
   */
  static ProgressReporter startRemote(PrintWriter out, boolean enabled, Supplier<String> status) {
    ProgressReporter reporter = new ProgressReporter("", 0, out, false, null, status);
    if (enabled) {
      reporter.thread.start();
    }
    return reporter;
  }

  private void loop() {
    long interval = terminal ? 1_000 : 10_000;
    try {
      while (running) {
        Thread.sleep(interval);
        print(false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void print(boolean last) {
    long now = System.nanoTime();
    if (remote != null) {
      String status = last ? null : remote.get();
      // Not once the job is over: close() interrupts a status request still on its way.
      if (status != null && running) {
        out.println("progress: " + status + " · elapsed " + duration((now - started) / 1e9));
        out.flush();
      }
      return;
    }
    long done = JobProgress.done(runId);
    history.addLast(new long[] {now, done});
    while (history.size() > 2 && now - history.peekFirst()[0] > WINDOW_NANOS) {
      history.removeFirst();
    }
    long[] oldest = history.peekFirst();
    double seconds = (now - oldest[0]) / 1e9;
    double rate = seconds > 0 ? (done - oldest[1]) / seconds : 0;
    String line = line(done, rate, (now - started) / 1e9);
    if (terminal) {
      out.print("\r" + line + "   " + (last ? System.lineSeparator() : ""));
    } else if (!last) {
      out.println(line);
    }
    out.flush();
  }

  String line(long done, double rate, double elapsed) {
    StringBuilder line = new StringBuilder("progress: ");
    if (total > 0) {
      line.append(String.format(Locale.ROOT, "%,d/%,d records (%d%%)", done, total, Math.min(100, done * 100 / total)));
    } else {
      line.append(String.format(Locale.ROOT, "%,d records", done));
    }
    line.append(String.format(Locale.ROOT, " · %,.0f records/s", rate));
    if (total > done && rate > 0) {
      line.append(" · ETA ").append(duration((total - done) / rate));
    }
    line.append(" · elapsed ").append(duration(elapsed));
    String extra = note == null ? null : note.get();
    if (extra != null) {
      line.append(" · ").append(extra);
    }
    return line.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  @Override
  public void close() {
    if (!thread.isAlive()) {
      return;
    }
    running = false;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    print(true);
  }
}
