package dev.flashline.grouping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {
  @TempDir Path dir;

  @Test
  void anAnswerPutIsFoundAgainByAnotherStoreOnTheSameFolder() {
    String key = ContentKey.request("prefix", "hello");
    ResultStore.open(dir).put(key, new StoredAnswer("r1", "spam", null, 0.9, "openai", "deepseek-v4-flash", null));

    assertThat(ResultStore.open(dir).get(key)).contains(new StoredAnswer("r1", "spam", null, 0.9, "openai", "deepseek-v4-flash", null));
    assertThat(ResultStore.open(dir).get(ContentKey.request("prefix", "hello!"))).isEmpty();
    assertThat(ResultStore.open(dir).get(ContentKey.request("other prefix", "hello"))).isEmpty();
  }

  @Test
  void aDamagedEntryIsAMissNotAFailure() throws Exception {
    ResultStore store = ResultStore.open(dir);
    String key = ContentKey.request("p", "t");
    store.put(key, new StoredAnswer("r1", null, "a summary", null, "openai", "m", null));
    try (Stream<Path> files = Files.walk(dir)) {
      Path file = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
      Files.writeString(file, "{\"payerId\": ");
    }
    assertThat(store.get(key)).isEmpty();
  }

  @Test
  void concurrentWritersLeaveOneWholeEntryAndNoDebris() throws Exception {
    ResultStore store = ResultStore.open(dir);
    String key = ContentKey.request("p", "same text");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(pool.submit(() -> store.put(key, new StoredAnswer("r1", "ham", null, 0.5, "openai", "m", null))));
    }
    for (Future<?> write : writes) {
      write.get();
    }
    pool.shutdown();
    assertThat(store.get(key)).isPresent();
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).toList()).hasSize(1);
    }
  }

  @Test
  void keysThatAreNotDigestsAreRefused() {
    assertThatThrownBy(() -> ResultStore.open(dir).get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
  }
}
