package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.pipelines.Tarjama;
import dev.tarjama.transforms.chunk.Chunker;
import dev.tarjama.transforms.io.ConversationNormalizer;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.transforms.segment.SegmentPolicy;
import dev.tarjama.transforms.segment.Segmenter;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Does the translate pipeline keep a backend saturated? In one run, against one loopback
 * OpenAI-compatible server with a fixed service time per request and a fixed number of handler
 * threads (requests beyond them queue, as on a GPU server whose batch is full):
 *
 * <ol>
 *   <li>capacity: a direct load generator (the JDK HTTP client, no limiter, no retries) sends the
 *       pipeline's own prompts (data-kit records, normalized, segmented and chunked as the
 *       pipeline does) at several concurrencies; the best requests/s and tokens/s, counted by the
 *       server, are its capacity;
 *   <li>the pipeline: {@code tarjama translate} on the same records against the same server,
 *       DirectRunner; the server counts requests and tokens from the first request to the last
 *       answer.
 * </ol>
 *
 * Prints pipeline throughput ÷ capacity (the goal is ≥ 0.95), the server's answers per second
 * while the pipeline runs, and the end-to-end wall time.
 *
 * <p>What it takes to saturate, measured on 2 cores with 16 slots of 100 ms (capacity ~158
 * requests/s): more requests in flight than the server has slots (3 per handler thread by
 * default; a bare load generator saturates at 1.5 per slot), because the pipeline's client turns
 * around more slowly now and then (a bundle boundary, GC, a CPU taken by other steps) and only
 * requests already queued at the server cover those gaps; and more DirectRunner threads than its
 * default 3 (the command now takes max(8, 2 × cores) when every backend is an API backend), since
 * a translate bundle holds its thread while it waits. While other processes kept the 2 cores busy
 * (load ~10-20): concurrency 24 with 3 threads gave 0.83-0.86, 48 gave 0.94-0.97 with 1-2 s gaps
 * where all 3 threads ran other steps, 48 with 8 threads 0.996. On a quiet machine: 0.997 (48) and
 * 0.988 (24).
 *
 * <p>Run (from the repository root):
 *
 * <pre>
 * mvn -q -pl pipelines -am test-compile -Dbench=BackendSaturation -Dbench.args="\
 *   [SERVICE_MS=100] [SERVER_THREADS=16] [CONCURRENCY=3×THREADS] [SHUFFLE_BUCKETS=0] [FILES=…,…|-]
 *   [more `tarjama translate` options…]"
 * </pre>
 */
public final class BackendSaturation {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] DEFAULT_FILES = {
    "instruct/smoltalk2_style/think_tools.jsonl",
    "instruct/smoltalk2_style/gsm8k_think.jsonl",
    "instruct/gsm8k/test.jsonl",
  };

  public static void main(String[] args) throws Exception {
    int serviceMs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    // Three requests per server thread: two of them wait in the server's queue, so that the
    // pipeline's own hiccups (a bundle boundary, a GC pause) do not leave the server idle.
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 3 * threads;
    int buckets = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    String[] files = args.length > 4 && !args[4].equals("-") ? args[4].split(",") : DEFAULT_FILES;
    // Anything else goes to `tarjama translate` as it is, e.g. --targetParallelism=8.
    List<String> extra = args.length > 5 ? List.of(args).subList(5, args.length) : List.of();
    Path shared = DataKit.root();
    Path data = shared.resolve("data");
    String tokenizer = shared.resolve("models/tokenizers/qwen3/tokenizer.json").toString();

    List<SourceRecord> records = load(data, files);
    List<String> prompts = prompts(records, tokenizer);
    System.out.printf(Locale.ROOT,
        "%d data-kit records -> %d chunks (qwen3 tokens, budget %d); server: %d ms per request, %d"
            + " handler threads (ideal %.0f requests/s); %d cores%n",
        records.size(), prompts.size(), Chunker.DEFAULT_TOKEN_BUDGET, serviceMs, threads,
        threads * 1000.0 / serviceMs, Runtime.getRuntime().availableProcessors());

    try (FakeOpenAiServer server =
        FakeOpenAiServer.builder()
            .serviceTime(Duration.ofMillis(serviceMs))
            .threads(threads)
            .start()) {
      // (a) Capacity: the best a client that does nothing else gets out of the server. Each level
      // sends every prompt once, so that the token mix is the pipeline's.
      int[] levels = {threads, threads + threads / 2, 2 * threads, 3 * threads};
      loadAt(server, prompts.subList(0, Math.min(prompts.size(), 10 * threads)), threads);
      double bestRps = 0;
      double bestTps = 0;
      int bestLevel = 0;
      for (int c : levels) {
        FakeOpenAiServer.Meter m = loadAt(server, prompts, c);
        double rps = m.ok() / m.windowSeconds();
        double tps = (m.tokensIn() + m.tokensOut()) / m.windowSeconds();
        System.out.printf(Locale.ROOT,
            "load generator, %3d in flight: %7.1f requests/s, %9.0f tokens/s (%d requests)%n",
            c, rps, tps, m.ok());
        if (rps > bestRps) {
          bestRps = rps;
          bestTps = tps;
          bestLevel = c;
        }
      }
      System.out.printf(Locale.ROOT,
          "capacity: %.1f requests/s, %.0f tokens/s (at %d in flight)%n", bestRps, bestTps,
          bestLevel);

      // (b) The pipeline, on the same records, against the same server.
      Path tmp = Files.createTempDirectory("tarjama-saturation");
      Path in = Files.createDirectories(tmp.resolve("in"));
      for (String file : files) {
        Path source = data.resolve(file);
        Path dir = Files.createDirectories(in.resolve(source.getParent().getFileName()));
        Files.copy(source, dir.resolve(source.getFileName()));
      }
      server.resetMeter();
      long start = System.nanoTime();
      // Answers per second while the pipeline runs: shows ramp-up, dips and the tail.
      List<Long> perSecond = new ArrayList<>();
      Thread sampler =
          new Thread(
              () -> {
                long last = 0;
                try {
                  while (true) {
                    Thread.sleep(1000);
                    long now = server.meter().ok();
                    synchronized (perSecond) {
                      perSecond.add(now - last);
                    }
                    last = now;
                  }
                } catch (InterruptedException e) {
                  // done
                }
              });
      sampler.setDaemon(true);
      sampler.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<String> command = new ArrayList<>(List.of(
          "translate",
          "--input=" + in + "/*/*",
          "--output=" + tmp.resolve("out"),
          "--tokenizer=" + tokenizer,
          "--progress-seconds=0",
          "--shuffle-buckets=" + buckets,
          "--backend=name=bench,url=" + server.baseUrl()
              + ",model=loopback,prompt=hala,k=1,concurrency=" + concurrency));
      command.addAll(extra);
      System.out.println("tarjama " + String.join(" ", command).replace(tmp.toString(), "TMP"));
      int code =
          Tarjama.run(
              command.toArray(String[]::new),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              System.err);
      double wall = (System.nanoTime() - start) / 1e9;
      sampler.interrupt();
      FakeOpenAiServer.Meter m = server.meter();
      synchronized (perSecond) {
        StringBuilder line = new StringBuilder("answers per second during the run:");
        boolean started = false;
        for (long n : perSecond) {
          started |= n > 0;
          if (started) {
            line.append(' ').append(n);
          }
        }
        System.out.println(line.toString().replaceAll("( 0)+$", " 0…"));
      }
      if (code != 0) {
        System.out.print(out.toString(StandardCharsets.UTF_8));
        throw new IllegalStateException("the pipeline exited " + code);
      }
      JsonNode report = RecordJson.parse(Files.readString(tmp.resolve("out/report.json")));
      double rps = m.ok() / m.windowSeconds();
      double tps = (m.tokensIn() + m.tokensOut()) / m.windowSeconds();
      System.out.printf(Locale.ROOT,
          "pipeline (DirectRunner, concurrency %d, shuffle buckets %s): %d requests in %.2f s "
              + "at the server: %.1f requests/s, %.0f tokens/s; max %d at the server at once%n",
          concurrency, buckets == 0 ? "default" : String.valueOf(buckets), m.ok(),
          m.windowSeconds(), rps, tps, server.maxConcurrentRequests());
      System.out.printf(Locale.ROOT,
          "end to end: %.1f s for %d records (%s), %.1f s before the first request%n",
          wall, report.get("counts").get("input").asLong(), report.get("counts"),
          (m.firstArrivalNanos() - start) / 1e9);
      System.out.printf(Locale.ROOT,
          "SATURATION: pipeline / capacity = %.3f (requests/s), %.3f (tokens/s); floor 0.95%n",
          rps / bestRps, tps / bestTps);
    }
  }

  /**
   * Sends every prompt once, keeping {@code inFlight} requests going; the server's meter over
   * that window.
   */
  static FakeOpenAiServer.Meter loadAt(
      FakeOpenAiServer server, List<String> prompts, int inFlight) throws Exception {
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create(server.baseUrl() + "/chat/completions");
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(inFlight);
    server.resetMeter();
    for (int i = 0; i < inFlight; i++) {
      sendLoop(http, uri, prompts, next, done);
    }
    done.await();
    return server.meter();
  }

  private static void sendLoop(
      HttpClient http, URI uri, List<String> prompts, AtomicInteger next, CountDownLatch done) {
    int i = next.getAndIncrement();
    if (i >= prompts.size()) {
      done.countDown();
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("model", "loopback");
    body.putArray("messages").addObject().put("role", "user").put("content", prompts.get(i));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete((r, e) -> sendLoop(http, uri, prompts, next, done));
  }

  static List<SourceRecord> load(Path data, String[] files) throws Exception {
    List<SourceRecord> records = new ArrayList<>();
    for (String file : files) {
      String text = Files.readString(data.resolve(file));
      String name = Path.of(file).getFileName().toString();
      if (text.stripLeading().startsWith("[")) {
        JsonNode array = RecordJson.parse(text);
        for (int i = 0; i < array.size(); i++) {
          records.add(new SourceRecord(name + "#" + i, name, i, RecordJson.print(array.get(i))));
        }
      } else {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
          if (!lines[i].isBlank()) {
            records.add(new SourceRecord(name + ":" + (i + 1), name, i + 1, lines[i]));
          }
        }
      }
    }
    return records;
  }

  /** The prompts the pipeline will send: every chunk, as the stage classes make it, in hala's. */
  static List<String> prompts(List<SourceRecord> records, String tokenizer) {
    ConversationNormalizer normalizer = new ConversationNormalizer(null, null, "source");
    Segmenter segmenter = new Segmenter(SegmentPolicy.defaults());
    Chunker chunker =
        Chunker.bySentences(TokenCounters.acquire(tokenizer), Chunker.DEFAULT_TOKEN_BUDGET);
    PromptTemplate hala = PromptTemplate.named("hala");
    List<String> prompts = new ArrayList<>();
    for (SourceRecord record : records) {
      Conversation conversation = normalizer.normalize(record).conversation;
      if (conversation == null) {
        continue;
      }
      List<FieldSegments> fields = new ArrayList<>();
      for (int i = 0; i < conversation.fields().size(); i++) {
        fields.add(new FieldSegments(i, segmenter.segment(conversation.fields().get(i))));
      }
      for (Chunk chunk : chunker.plan(new SegmentedRecord(conversation, fields)).chunks()) {
        prompts.add(hala.render(chunk.text()));
      }
    }
    // Mixed lengths in turn, as the pipeline's shuffle mixes them.
    prompts.sort(Comparator.comparingInt(p -> Math.floorMod(p.hashCode(), 1 << 20)));
    return prompts;
  }

  private BackendSaturation() {}
}
