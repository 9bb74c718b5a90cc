package dev.flashline.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/** Whether Testcontainers can reach a Docker engine; any failure to find out means "no". */
final class DockerProbe {

  private DockerProbe() {}

  static boolean dockerAvailable() {
    // Testcontainers logs an ERROR listing every strategy it tried when there is no engine; skip
    // asking it when nothing points at one, which is the common case on build machines.
    if (!engineConfiguredOrSocketPresent()) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      // Testcontainers throws from deep in its client setup (even LinkageErrors when docker-java
      // is mismatched); for picking a broker, that is the same answer as "no engine".
      return false;
    }
  }

  private static boolean engineConfiguredOrSocketPresent() {
    String home = System.getProperty("user.home", "");
    if (System.getenv("DOCKER_HOST") != null
        || Files.exists(Path.of(home, ".testcontainers.properties"))
        || System.getProperty("os.name", "").toLowerCase().contains("win")) {
      return true;
    }
    List<Path> sockets = new ArrayList<>(List.of(
        Path.of("/var/run/docker.sock"),
        Path.of(home, ".docker", "run", "docker.sock"),
        Path.of(home, ".docker", "desktop", "docker.sock"),
        Path.of(home, ".colima", "default", "docker.sock"),
        Path.of(home, ".rd", "docker.sock"),
        Path.of(home, ".orbstack", "run", "docker.sock")));
    String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
    if (runtimeDir != null) {
      sockets.add(Path.of(runtimeDir, "docker.sock"));
    }
    return sockets.stream().anyMatch(Files::exists);
  }
}
