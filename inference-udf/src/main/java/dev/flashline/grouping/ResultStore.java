package dev.flashline.grouping;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Answers kept on disk by content key (prompt prefix, model, parameters and document text), so a
 * rerun or a resumed job does not pay again for what it already labelled. One small file per
 * answer under two levels of hex folders: any number of workers and machines sharing the folder
 * (a local disk, NFS, a mounted bucket) can read and write without a lock, because a file appears
 * whole (written aside, then renamed) and two writers of one key write the same answer.
 */
public final class ResultStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  private ResultStore(Path root) {
    this.root = root;
  }

  /** @throws UncheckedIOException when the folder cannot be created */
  public static ResultStore open(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("result store " + root + ": cannot create the folder: " + e.getMessage(), e);
    }
    return new ResultStore(root);
  }

  public Optional<StoredAnswer> get(String key) {
    Path file = file(key);
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(file), StoredAnswer.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // A damaged entry is asked again rather than failing the record; the new answer replaces it.
      return Optional.empty();
    }
  }

  public void put(String key, StoredAnswer answer) {
    Path file = file(key);
    try {
      Files.createDirectories(file.getParent());
      Path aside = Files.createTempFile(file.getParent(), key.substring(0, 8), ".tmp");
      Files.write(aside, JSON.writeValueAsBytes(answer));
      try {
        Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("result store " + root + ": cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private Path file(String key) {
    if (!key.matches("[0-9a-f]{16,}")) {
      throw new IllegalArgumentException("not a content key: " + key);
    }
    return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key + ".json");
  }
}
