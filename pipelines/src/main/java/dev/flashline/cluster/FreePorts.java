package dev.flashline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports nothing listens on right now, on the loopback interface. They are released before the
 * cluster binds them, so another process may take one in between; the cluster's start then fails
 * with "Address already in use" and can simply be started again.
 */
final class FreePorts {
  private FreePorts() {}

  /** {@code count} distinct free ports. */
  static List<Integer> pick(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        held.add(new ServerSocket(0, 0, InetAddress.getLoopbackAddress()));
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback interface", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          // Closing a listening socket that never accepted cannot fail in a way that matters here.
        }
      }
    }
  }
}
