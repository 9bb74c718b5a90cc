package dev.flashline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root from wherever the tests run (Maven runs them in the module folder). */
final class RepoFiles {
  private RepoFiles() {}

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy")) && Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("pipelines"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (a folder with pom.xml, deploy/ and pipelines/) at or above " + dir);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
