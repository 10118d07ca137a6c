package dev.tarjama.models.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The transport of the tests' fake backends ({@link FakeOpenAiServer} and the benchmarks' capacity
 * server): a real JDK HTTP server on 127.0.0.1 and a free port, every path to one handler, on a
 * pool of daemon threads. What each fake answers stays in the fake.
 */
public final class LoopbackHttp implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private LoopbackHttp(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Serves every path with {@code handler} on {@code threads} daemon threads named {@code name};
   * {@code backlog} connections may wait to be accepted.
   */
  public static LoopbackHttp start(String name, int threads, int backlog, HttpHandler handler)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
    ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", handler);
    server.start();
    return new LoopbackHttp(server, executor);
  }

  /** {@code http://127.0.0.1:PORT}, no trailing slash. */
  public String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT/v1}: an OpenAI-compatible base URL. */
  public String baseUrl() {
    return origin() + "/v1";
  }

  /** Stops at once and waits up to 5 s for handlers still running. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
