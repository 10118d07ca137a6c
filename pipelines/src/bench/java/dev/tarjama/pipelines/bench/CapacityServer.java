package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.LoopbackHttp;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible chat server with a fixed capacity, for the end-to-end figure: {@code
 * slots} requests are served at once, each holding its slot for {@code prompt_tokens /
 * promptRate + completion_tokens / completionRate} seconds (tokens = characters / 4), and the
 * others wait in a queue, as on a GPU server whose batch is full (16 slots, 20,000 prompt and 400
 * completion tokens/s per slot: about one H100 serving an 8B model). Answers are {@link
 * TranslatorAnswers#translate}'s (Hala's prompt), with usage.
 *
 * <p>Counts busy slot-seconds (the time requests held a slot), the first arrival and the last
 * answer, so that utilization = busy ÷ (slots × wall time).
 */
public final class CapacityServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int slots;
  private final double promptRate;
  private final double completionRate;
  private final Semaphore free;
  private final LoopbackHttp server;
  private final AtomicLong busyNanos = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong firstArrival = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);

  public CapacityServer(int slots, double promptRate, double completionRate) throws IOException {
    this.slots = slots;
    this.promptRate = promptRate;
    this.completionRate = completionRate;
    this.free = new Semaphore(slots, true);
    // Handler threads well beyond the slots: a request waits for a slot, not for a thread.
    this.server = LoopbackHttp.start("capacity-server", slots * 16, 1024, this::handle);
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public int slots() {
    return slots;
  }

  public long requests() {
    return requests.get();
  }

  public double busySlotSeconds() {
    return busyNanos.get() / 1e9;
  }

  /** {@link System#nanoTime} of the first completion request's arrival (Long.MAX_VALUE: none yet). */
  public long firstArrivalNanos() {
    return firstArrival.get();
  }

  /** {@link System#nanoTime} of the last answer sent. */
  public long lastAnswerNanos() {
    return lastAnswer.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long arrival = System.nanoTime();
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/v1/models")) {
        // The start-up probe is not work: the first request is the first completion.
        send(exchange, 200, JSON.createObjectNode().put("object", "list").set("data",
            JSON.createArrayNode().add(JSON.createObjectNode().put("id", "capacity"))));
        return;
      }
      firstArrival.accumulateAndGet(arrival, Math::min);
      JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
      JsonNode messages = request.path("messages");
      String prompt = messages.get(messages.size() - 1).path("content").asText();
      String text = prompt.startsWith(TranslatorAnswers.HALA_PREFIX)
          ? prompt.substring(TranslatorAnswers.HALA_PREFIX.length()) : prompt;
      int n = request.path("n").asInt(1);
      int seed = request.path("seed").asInt(0);
      String[] answers = new String[n];
      long promptTokens = tokens(prompt);
      long completionTokens = 0;
      for (int i = 0; i < n; i++) {
        answers[i] = TranslatorAnswers.translate(text, seed + i);
        completionTokens += tokens(answers[i]);
      }
      long hold = (long) ((promptTokens / promptRate + completionTokens / completionRate) * 1e9);
      requests.incrementAndGet();
      free.acquireUninterruptibly();
      try {
        long start = System.nanoTime();
        sleepNanos(hold);
        busyNanos.addAndGet(System.nanoTime() - start);
      } finally {
        free.release();
      }
      ObjectNode response = JSON.createObjectNode();
      response.put("id", "capacity-" + requests.get()).put("object", "chat.completion")
          .put("created", 0).put("model", request.path("model").asText());
      ArrayNode choices = response.putArray("choices");
      for (int i = 0; i < n; i++) {
        ObjectNode choice = choices.addObject().put("index", i);
        choice.putObject("message").put("role", "assistant").put("content", answers[i]);
        choice.put("finish_reason", "stop");
      }
      response.putObject("usage").put("prompt_tokens", promptTokens)
          .put("completion_tokens", completionTokens)
          .put("total_tokens", promptTokens + completionTokens);
      send(exchange, 200, response);
      lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
    }
  }

  static long tokens(String s) {
    return Math.max(1, (s.length() + 3) / 4);
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.close();
  }
}
