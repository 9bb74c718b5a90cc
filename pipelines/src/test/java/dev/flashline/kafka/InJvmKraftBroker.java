package dev.flashline.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node KRaft Kafka (broker and controller in one) running inside the test JVM, for
 * machines without a Docker engine. It uses the same kafka 3.9.1 jars as the client.
 */
final class InJvmKraftBroker implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  // Free ports are picked, then released, before Kafka binds them; another process may take one
  // in between, so a start that fails to bind is retried with fresh ports.
  private static final int START_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final Path dir;
  private final String bootstrapServers;

  private InJvmKraftBroker(KafkaRaftServer server, Path dir, String bootstrapServers) {
    this.server = server;
    this.dir = dir;
    this.bootstrapServers = bootstrapServers;
  }

  static InJvmKraftBroker start() {
    keepJvmAliveOnKafkaFatalErrors();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Path dir = createTempDir();
      int brokerPort = freePort();
      int controllerPort = freePort();
      KafkaRaftServer server = null;
      try {
        KafkaConfig config = KafkaConfig.fromProps(config(dir, brokerPort, controllerPort), false);
        format(config, dir);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new InJvmKraftBroker(server, dir, HOST + ":" + brokerPort);
      } catch (Exception e) {
        if (server != null) {
          stopQuietly(server);
        }
        TempDirs.deleteRecursively(dir);
        last = new IllegalStateException(
            "in-JVM Kafka broker did not start (attempt " + attempt + " of " + START_ATTEMPTS
                + ", ports " + brokerPort + "/" + controllerPort + "): " + e, e);
        if (!isBindFailure(e)) {
          throw last;
        }
      }
    }
    throw last;
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    try {
      stopQuietly(server);
    } finally {
      TempDirs.deleteRecursively(dir);
    }
  }

  private static Properties config(Path dir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listeners",
        "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    // One node: every topic, internal ones included, can only have one replica.
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    // Fewer internal partitions make the first consumer group and first transaction start fast.
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.num.partitions", "1");
    // Tests join groups one consumer at a time; the default 3 s wait for more members is dead time.
    p.put("group.initial.rebalance.delay.ms", "0");
    // A typo in a topic name must fail the test, not silently create a new topic.
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  /**
   * KRaft refuses unformatted log dirs: what {@code kafka-storage.sh format} does, writing
   * meta.properties and the bootstrap metadata snapshot for the latest production version.
   */
  private static void format(KafkaConfig config, Path dir) throws Exception {
    String dataDir = dir.resolve("data").toString();
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(config.metadataLogDir())
        .addDirectory(dataDir)
        .run();
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      System.err.println("in-JVM Kafka broker did not shut down cleanly: " + e);
    }
  }

  /**
   * Kafka's fault handlers call Exit.halt on fatal errors, which would kill the surefire JVM with
   * no report; turn them into exceptions so the failing test says what happened.
   */
  private static void keepJvmAliveOnKafkaFatalErrors() {
    Exit.setHaltProcedure((status, message) -> {
      throw new IllegalStateException("Kafka asked to halt the JVM (" + status + "): " + message);
    });
    Exit.setExitProcedure((status, message) -> {
      throw new IllegalStateException("Kafka asked to exit the JVM (" + status + "): " + message);
    });
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof java.net.BindException || message.contains("failed to bind")
          || message.contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("flashline-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for the Kafka broker", e);
    }
  }
}
