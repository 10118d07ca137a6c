package dev.tarjama.transforms.translate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's package, {@code /usr/bin/redis-server}) started by a test on a
 * free loopback port, with no persistence and its data in a temporary folder; {@link #close()}
 * kills it. Start-up is bounded ({@link #START}); a machine without redis-server fails the test
 * with a message saying what to install, it does not skip it.
 */
public final class RedisServer implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(20);
  static final List<String> CANDIDATES = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server");

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  public static RedisServer start() throws IOException, InterruptedException {
    String binary = CANDIDATES.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
        .orElseThrow(() -> new AssertionError(
            "redis-server is not installed (looked at " + CANDIDATES + "): the Redis cache tests "
                + "need a real server; install Debian's package: apt-get install redis-server"));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("tarjama-redis");
    Process process = new ProcessBuilder(binary,
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    RedisServer server = new RedisServer(process, port, dir);
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String log = Files.readString(dir.resolve("redis.log"));
        server.close();
        throw new AssertionError("redis-server exited with " + process.exitValue() + ":\n" + log);
      }
      if (server.ping()) {
        return server;
      }
      Thread.sleep(50);
    }
    server.close();
    throw new AssertionError("redis-server did not answer PING on port " + port + " within " + START);
  }

  /** {@code redis://127.0.0.1:PORT/DB}. */
  public String uri(int database) {
    return "redis://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  private boolean ping() {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temporary folder left behind is harmless.
    }
  }
}
