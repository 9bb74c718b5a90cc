package dev.flashline.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.flashline.backend.openai.ChatCall;
import dev.flashline.backend.openai.ChatClients;
import dev.flashline.backend.openai.ChatReply;
import dev.flashline.task.ChatMessage;
import dev.flashline.task.OpenAiSpec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Requests/s and client CPU of {@link dev.flashline.backend.openai.ChatClient} against a server
 * that answers every request after a fixed delay (run in another JVM, so this JVM's CPU time is
 * the client's). The client is not the bottleneck when the rate reaches in-flight / delay.
 *
 * <p>Usage: {@code ChatClientBench URL IN_FLIGHT REQUESTS DELAY_MS}; runs REQUESTS twice to warm up,
 * then measures a third run; prints one table row.
 */
public final class ChatClientBench {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int inFlight = Integer.parseInt(args[1]);
    int requests = Integer.parseInt(args[2]);
    double delayMs = Double.parseDouble(args[3]);
    OpenAiSpec spec = OpenAiSpec.defaults().withEndpoint(url).withMaxInFlight(inFlight).withApiKeyEnv("FLASHLINE_BENCH_NO_KEY");
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (ChatClients.Lease lease = ChatClients.acquire(spec, inFlight)) {
      ChatCall call =
          new ChatCall("deepseek-v4-flash", List.of(ChatMessage.system("Classify."), ChatMessage.user("hello")), true, 16);
      // Warm-up: open the connections and let the JIT finish (it keeps compiling for thousands
      // of requests, and its CPU would otherwise be counted as the client's).
      run(lease, call, requests);
      run(lease, call, requests);
      java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long javaBefore = javaThreadsCpu(threads);
      long cpuBefore = os.getProcessCpuTime();
      long start = System.nanoTime();
      int failed = run(lease, call, requests);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
      double javaCpu = (javaThreadsCpu(threads) - javaBefore) / 1e9;
      double rate = requests / seconds;
      double ideal = inFlight / (delayMs / 1000.0);
      System.out.printf(
          Locale.ROOT,
          "| %,d | %,d | %.0f | %,.0f | %,.0f | %.1f%% | %.2f | %.0f | %.0f | %d |%n",
          inFlight, requests, delayMs, ideal, rate, 100 * rate / ideal, cpu, 1e6 * cpu / requests, 1e6 * javaCpu / requests, failed);
    }
  }

  /** CPU of the Java threads alive now (the HTTP client's and this one), without GC and JIT threads. */
  private static long javaThreadsCpu(java.lang.management.ThreadMXBean threads) {
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu > 0) {
        total += cpu;
      }
    }
    return total;
  }

  private static int run(ChatClients.Lease lease, ChatCall call, int requests) {
    List<CompletableFuture<ChatReply>> replies = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      replies.add(lease.client().complete(call));
    }
    int failed = 0;
    for (CompletableFuture<ChatReply> reply : replies) {
      if (!reply.join().ok()) {
        failed++;
      }
    }
    return failed;
  }
}
