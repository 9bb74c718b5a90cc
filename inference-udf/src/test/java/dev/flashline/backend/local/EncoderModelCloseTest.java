package dev.flashline.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a model while other threads embed: a runner may tear a DoFn down while another thread
 * still runs it (DirectRunner cancelling a stream). That once crashed the JVM inside ONNX Runtime;
 * now close waits for the calls in flight and later calls fail with a Java exception.
 */
class EncoderModelCloseTest {
  @Test
  void closeWaitsForEmbeddingsInFlightAndLaterCallsFailCleanly() throws Exception {
    // A model of its own, not the shared one other tests lease.
    EncoderModel model = EncoderModel.load(EncoderModelSpec.E5_SMALL_V2_Q);
    String text = "a fairly long text to embed, so the call is in flight when close starts ".repeat(40);
    ExecutorService threads = Executors.newFixedThreadPool(3);
    List<Future<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      workers.add(threads.submit(() -> {
        int done = 0;
        try {
          while (true) {
            model.embed(text);
            done++;
          }
        } catch (IllegalStateException closed) {
          assertThat(closed).hasMessageContaining("is closed");
          return done;
        }
      }));
    }
    Thread.sleep(1500);
    model.close();
    model.close(); // a second close does nothing
    int embedded = 0;
    for (Future<Integer> worker : workers) {
      embedded += worker.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();
    assertThat(embedded).isPositive();
    assertThatThrownBy(() -> model.embed("after")).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    assertThatThrownBy(() -> model.windows("after")).isInstanceOf(IllegalStateException.class);
  }
}
