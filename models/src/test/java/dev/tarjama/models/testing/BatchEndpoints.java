package dev.tarjama.models.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OpenAI batch API of {@link FakeOpenAiServer} ({@link FakeOpenAiServer#batches()}): {@code
 * POST /v1/files} (multipart, {@code purpose=batch}), {@code GET /v1/files/{id}/content}, {@code
 * POST /v1/batches} and {@code GET /v1/batches/{id}}, next to the server's completions. Each
 * request line is answered by the same server's completions endpoint, over HTTP, the line's body
 * as sent, so a batch answer is exactly the live answer (faults and counts included).
 *
 * <p>A batch moves one state per {@code GET}: {@code validating} → {@code in_progress} → {@code
 * finalizing} → final, and is answered when it turns final, as its {@link Plan} says (by batch
 * number, from 1; {@link Plan#COMPLETE} by default): every line answered; {@code failed} at
 * validation (no files, {@code errors}); {@code expired} with the first half answered and the rest
 * in the error file as {@code batch_expired} (partial completion); {@code cancelled} with the
 * first half answered and the rest in neither file; one line left out of both files; one line in
 * both files. It counts uploads, batches and how often each {@code custom_id} was submitted.
 */
public final class BatchEndpoints {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What becomes of a batch when it turns final. */
  public enum Plan {
    COMPLETE,
    FAIL,
    EXPIRE_PARTIAL,
    CANCEL_PARTIAL,
    DROP_FIRST_LINE,
    FIRST_LINE_IN_BOTH_FILES
  }

  private static final List<String> STEPS = List.of("validating", "in_progress", "finalizing");

  private final String baseUrl;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> batches = new ConcurrentHashMap<>();
  private final Map<Integer, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, Integer> submissions = new ConcurrentHashMap<>();
  private final AtomicInteger fileIds = new AtomicInteger();
  private final AtomicInteger batchIds = new AtomicInteger();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();

  /** Batch endpoints at {@code baseUrl} ({@code …/v1}) whose lines go to the completions there. */
  BatchEndpoints(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** {@code http://127.0.0.1:PORT/v1}: the server's base URL, for a batch backend's {@code url}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** What becomes of batch number {@code n} (from 1, in creation order). */
  public BatchEndpoints plan(int n, Plan plan) {
    plans.put(n, plan);
    return this;
  }

  public int uploads() {
    return uploads.get();
  }

  public int batchesCreated() {
    return batchIds.get();
  }

  public int polls() {
    return polls.get();
  }

  /** How often each custom_id was submitted, over every batch created. */
  public Map<String, Integer> submissions() {
    return Map.copyOf(submissions);
  }

  /** Lines submitted over every batch created. */
  public int linesSubmitted() {
    return submissions.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Whether {@code path} is one of the batch API's, not a completions path. */
  static boolean serves(String path) {
    return path.equals("/v1/files") || path.startsWith("/v1/files/")
        || path.equals("/v1/batches") || path.startsWith("/v1/batches/");
  }

  void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      byte[] body = ex.getRequestBody().readAllBytes();
      if (method.equals("POST") && path.equals("/v1/files")) {
        upload(ex, body);
      } else if (method.equals("GET") && path.matches("/v1/files/[^/]+/content")) {
        String id = path.split("/")[3];
        byte[] content = files.get(id);
        if (content == null) {
          reply(ex, 404, "{\"error\":{\"message\":\"no such file\"}}");
        } else {
          ex.sendResponseHeaders(200, content.length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(content);
          }
        }
      } else if (method.equals("POST") && path.equals("/v1/batches")) {
        create(ex, JSON.readTree(body));
      } else if (method.equals("GET") && path.matches("/v1/batches/[^/]+")) {
        poll(ex, path.substring("/v1/batches/".length()));
      } else {
        reply(ex, 404, "{\"error\":{\"message\":\"not found: " + method + " " + path + "\"}}");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      reply(ex, 500, "{\"error\":{\"message\":\"" + e.getClass().getSimpleName() + "\"}}");
    }
  }

  private void upload(HttpExchange ex, byte[] body) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.startsWith("multipart/form-data; boundary=")) {
      reply(ex, 400, "{\"error\":{\"message\":\"expected multipart/form-data\"}}");
      return;
    }
    String boundary = "--" + type.substring(type.indexOf("boundary=") + "boundary=".length());
    String raw = new String(body, StandardCharsets.ISO_8859_1);
    String purpose = null;
    byte[] content = null;
    for (String part : raw.split(java.util.regex.Pattern.quote(boundary))) {
      int split = part.indexOf("\r\n\r\n");
      if (split < 0) {
        continue;
      }
      String headers = part.substring(0, split);
      String value = part.substring(split + 4, Math.max(split + 4, part.length() - 2));
      if (headers.contains("name=\"purpose\"")) {
        purpose = value;
      } else if (headers.contains("name=\"file\"")) {
        content = value.getBytes(StandardCharsets.ISO_8859_1);
      }
    }
    if (!"batch".equals(purpose) || content == null) {
      reply(ex, 400, "{\"error\":{\"message\":\"purpose=batch and a file are required\"}}");
      return;
    }
    String id = "file-" + fileIds.incrementAndGet();
    files.put(id, content);
    uploads.incrementAndGet();
    reply(ex, 200, "{\"id\":\"" + id + "\",\"object\":\"file\",\"bytes\":" + content.length
        + ",\"purpose\":\"batch\"}");
  }

  private void create(HttpExchange ex, JsonNode request) throws IOException {
    String input = request.path("input_file_id").asText();
    if (!files.containsKey(input) || !"24h".equals(request.path("completion_window").asText())) {
      reply(ex, 400, "{\"error\":{\"message\":\"bad input_file_id or completion_window\"}}");
      return;
    }
    int number = batchIds.incrementAndGet();
    List<String> lines = lines(files.get(input));
    for (String line : lines) {
      submissions.merge(JSON.readTree(line).path("custom_id").asText(), 1, Integer::sum);
    }
    ObjectNode batch = JSON.createObjectNode();
    batch.put("id", "batch_" + number);
    batch.put("object", "batch");
    batch.put("endpoint", request.path("endpoint").asText());
    batch.put("input_file_id", input);
    batch.put("completion_window", "24h");
    batch.put("status", STEPS.get(0));
    batch.putNull("output_file_id");
    batch.putNull("error_file_id");
    batch.putObject("request_counts").put("total", lines.size()).put("completed", 0)
        .put("failed", 0);
    batch.put("number", number);
    batches.put("batch_" + number, batch);
    reply(ex, 200, batch.toString());
  }

  private void poll(HttpExchange ex, String id) throws IOException, InterruptedException {
    polls.incrementAndGet();
    ObjectNode batch = batches.get(id);
    if (batch == null) {
      reply(ex, 404, "{\"error\":{\"message\":\"no such batch\"}}");
      return;
    }
    synchronized (batch) {
      int step = STEPS.indexOf(batch.path("status").asText());
      if (step >= 0 && step < STEPS.size() - 1) {
        batch.put("status", STEPS.get(step + 1));
      } else if (step == STEPS.size() - 1) {
        finish(batch);
      }
      reply(ex, 200, batch.toString());
    }
  }

  private void finish(ObjectNode batch) throws IOException, InterruptedException {
    Plan plan = plans.getOrDefault(batch.path("number").asInt(), Plan.COMPLETE);
    List<String> lines = lines(files.get(batch.path("input_file_id").asText()));
    if (plan == Plan.FAIL) {
      batch.put("status", "failed");
      batch.putObject("errors").putArray("data").addObject().put("code", "invalid_request")
          .put("message", "the batch failed validation");
      return;
    }
    StringBuilder output = new StringBuilder();
    StringBuilder errors = new StringBuilder();
    int half = (lines.size() + 1) / 2;
    int completed = 0;
    int failed = 0;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = JSON.readTree(lines.get(i));
      String customId = line.path("custom_id").asText();
      boolean answered = true;
      if (plan == Plan.EXPIRE_PARTIAL && i >= half) {
        errors.append(error(customId, "batch_expired",
            "This request could not be executed before the completion window expired."));
        failed++;
        continue;
      }
      if ((plan == Plan.CANCEL_PARTIAL && i >= half) || (plan == Plan.DROP_FIRST_LINE && i == 0)) {
        continue;
      }
      if (plan == Plan.FIRST_LINE_IN_BOTH_FILES && i == 0) {
        errors.append(error(customId, "server_error", "The server had an error."));
      }
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create(baseUrl + line.path("url").asText().substring(3)))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(line.path("body").toString()))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      ObjectNode out = JSON.createObjectNode();
      out.put("id", "batch_req_" + customId);
      out.put("custom_id", customId);
      ObjectNode response = out.putObject("response");
      response.put("status_code", r.statusCode());
      response.put("request_id", "req_" + customId);
      response.set("body", JSON.readTree(r.body()));
      out.putNull("error");
      output.append(out).append('\n');
      if (r.statusCode() == 200 && answered) {
        completed++;
      } else {
        failed++;
      }
    }
    batch.put("status", switch (plan) {
      case EXPIRE_PARTIAL -> "expired";
      case CANCEL_PARTIAL -> "cancelled";
      default -> "completed";
    });
    if (output.length() > 0) {
      String outId = "file-" + fileIds.incrementAndGet();
      files.put(outId, output.toString().getBytes(StandardCharsets.UTF_8));
      batch.put("output_file_id", outId);
    }
    if (errors.length() > 0) {
      String errId = "file-" + fileIds.incrementAndGet();
      files.put(errId, errors.toString().getBytes(StandardCharsets.UTF_8));
      batch.put("error_file_id", errId);
    }
    // Counts as a provider reports them: they need not agree with the files.
    batch.putObject("request_counts").put("total", lines.size()).put("completed", completed)
        .put("failed", failed);
  }

  private static String error(String customId, String code, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.put("id", "batch_req_" + customId);
    e.put("custom_id", customId);
    e.putNull("response");
    e.putObject("error").put("code", code).put("message", message);
    return e + "\n";
  }

  private static List<String> lines(byte[] content) {
    List<String> lines = new ArrayList<>();
    for (String l : new String(content, StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l);
      }
    }
    return lines;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  /**
   * Plays {@code vllm run-batch} over every request file in {@code dir} without a results file:
   * each line's body goes to the engine, the answers go to {@code results-NNNN.jsonl} in the
   * engine's output format. Returns how many lines it answered.
   */
  public static int runBatchFiles(Path dir, String engineBaseUrl)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    int answered = 0;
    List<Path> requests;
    try (var list = Files.list(dir)) {
      requests = list.filter(p -> p.getFileName().toString().matches("requests-\\d+\\.jsonl"))
          .sorted().toList();
    }
    for (Path file : requests) {
      Path results = dir.resolve(file.getFileName().toString().replace("requests-", "results-"));
      if (Files.exists(results)) {
        continue;
      }
      StringBuilder out = new StringBuilder();
      for (String l : lines(Files.readAllBytes(file))) {
        JsonNode line = JSON.readTree(l);
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create(engineBaseUrl + line.path("url").asText()
                    .substring(3)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(line.path("body").toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", "vllm-" + line.path("custom_id").asText());
        result.put("custom_id", line.path("custom_id").asText());
        result.put("response", Map.of("status_code", r.statusCode(), "request_id", "r",
            "body", JSON.readTree(r.body())));
        result.put("error", null);
        out.append(JSON.writeValueAsString(result)).append('\n');
        answered++;
      }
      Files.writeString(results, out, StandardCharsets.UTF_8);
    }
    return answered;
  }
}
