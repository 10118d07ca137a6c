package dev.tarjama.pipelines.bench;

import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tests' deterministic loopback translator as a process of its own, for timing whole
 * {@code tarjama translate} processes against it (each run a new JVM, the server the same): Hala's
 * prompt on the chat endpoint, a fixed service time per request and a fixed number of handler
 * threads. Writes its base URL to URL_FILE, then serves until killed.
 *
 * <pre>
 * mvn -q -pl pipelines -am test-compile -Dbench=LoopbackServe \
 *   -Dbench.args="URL_FILE [SERVICE_MS=20] [THREADS=16]"
 * </pre>
 */
public final class LoopbackServe {
  private LoopbackServe() {}

  public static void main(String[] args) throws Exception {
    Path urlFile = Path.of(args[0]);
    int serviceMs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    FakeOpenAiServer server = FakeOpenAiServer.builder()
        .promptPrefix(TranslatorAnswers.HALA_PREFIX)
        .serviceTime(Duration.ofMillis(serviceMs))
        .threads(threads)
        .start();
    Files.writeString(urlFile, server.baseUrl() + "\n");
    System.out.println("serving " + server.baseUrl() + ": " + serviceMs + " ms per request, "
        + threads + " threads");
    Thread.currentThread().join();
  }
}
