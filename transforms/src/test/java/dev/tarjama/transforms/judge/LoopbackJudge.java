package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.testing.LoopbackHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible judge on 127.0.0.1 (an ephemeral port), for tests here and in the
 * pipelines module (it ships in the transforms test-jar). It reads the pair out of a prompt made
 * with {@link JudgePrompt#STRICT} ({@code English:\n…\n\nArabic:\n…\n\n}) and answers {@code
 * ACCEPT} when the Arabic is one of the reference translations of the English it was given (the
 * real Tatoeba file, {@link #tatoebaReferences}), else {@code REJECT}: a judge that is always
 * right. Per English sentence it can instead answer any text ({@link Builder#answer}, to exercise
 * the strict parser) or fail with a status ({@link Builder#fail}). Serves {@code POST
 * /v1/chat/completions} (last user message) and {@code POST /v1/completions} ({@code prompt}),
 * with usage counts.
 */
public final class LoopbackJudge implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EN_MARK = "English:\n";
  private static final String AR_MARK = "\n\nArabic:\n";
  private static final String END_MARK = "\n\nACCEPT the pair";

  /** The reference Arabic translations of each English sentence of a Tatoeba/Anki TSV file. */
  public static Map<String, Set<String>> tatoebaReferences(Path file) throws IOException {
    Map<String, Set<String>> refs = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] cells = line.split("\t", -1);
      if (cells.length >= 2) {
        refs.computeIfAbsent(cells[0], k -> new HashSet<>()).add(cells[1]);
      }
    }
    return refs;
  }

  /** Configures a judge; {@link #start()} opens it. */
  public static final class Builder {
    private final Map<String, Set<String>> references;
    private final Map<String, String> answers = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();

    private Builder(Map<String, Set<String>> references) {
      this.references = references;
    }

    /** Answer {@code answer} verbatim whenever the English side is {@code en}. */
    public Builder answer(String en, String answer) {
      answers.put(en, answer);
      return this;
    }

    /** Answer HTTP {@code status} whenever the English side is {@code en}. */
    public Builder fail(String en, int status) {
      failures.put(en, status);
      return this;
    }

    public LoopbackJudge start() throws IOException {
      return new LoopbackJudge(this);
    }
  }

  public static Builder builder(Map<String, Set<String>> references) {
    return new Builder(references);
  }

  private final Builder config;
  private final LoopbackHttp server;
  private final AtomicInteger requests = new AtomicInteger();

  private LoopbackJudge(Builder config) throws IOException {
    this.config = config;
    this.server = LoopbackHttp.start("loopback-judge", 8, 64, this::handle);
  }

  /** {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return server.baseUrl();
  }

  /** API requests received so far. */
  public int requestCount() {
    return requests.get();
  }

  @Override
  public void close() {
    server.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      boolean chat = path.equals("/v1/chat/completions");
      if (!chat && !path.equals("/v1/completions")) {
        send(exchange, 404, error("no such endpoint: " + path));
        return;
      }
      requests.incrementAndGet();
      JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
      String prompt;
      if (chat) {
        JsonNode messages = request.path("messages");
        prompt = messages.isArray() && !messages.isEmpty()
            ? messages.get(messages.size() - 1).path("content").asText(null) : null;
      } else {
        prompt = request.path("prompt").asText(null);
      }
      int en = prompt == null ? -1 : prompt.indexOf(EN_MARK);
      int ar = prompt == null ? -1 : prompt.indexOf(AR_MARK);
      int end = prompt == null ? -1 : prompt.indexOf(END_MARK);
      if (en < 0 || ar < en || end < ar) {
        send(exchange, 400, error("the prompt is not the strict judge prompt"));
        return;
      }
      String english = prompt.substring(en + EN_MARK.length(), ar);
      String arabic = prompt.substring(ar + AR_MARK.length(), end);
      Integer status = config.failures.get(english);
      if (status != null) {
        send(exchange, status, error("injected failure " + status));
        return;
      }
      String answer = config.answers.get(english);
      if (answer == null) {
        answer = config.references.getOrDefault(english, Set.of()).contains(arabic)
            ? "ACCEPT" : "REJECT";
      }
      ObjectNode response = JSON.createObjectNode();
      response.put("id", "judge-" + requests.get());
      response.put("object", chat ? "chat.completion" : "text_completion");
      response.put("model", request.path("model").asText());
      ObjectNode choice = response.putArray("choices").addObject();
      choice.put("index", 0);
      if (chat) {
        choice.putObject("message").put("role", "assistant").put("content", answer);
      } else {
        choice.put("text", answer);
      }
      choice.put("finish_reason", "stop");
      ObjectNode usage = response.putObject("usage");
      usage.put("prompt_tokens", prompt.split("\\s+").length);
      usage.put("completion_tokens", 1);
      send(exchange, 200, response);
    }
  }

  private static ObjectNode error(String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message);
    return e;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

}
