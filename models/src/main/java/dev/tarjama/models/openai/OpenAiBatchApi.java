package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The OpenAI batch endpoints of one backend, synchronous (the launcher calls them, a few times a
 * minute): {@code POST /files} (multipart, {@code purpose=batch}), {@code POST /batches} ({@code
 * completion_window: 24h}), {@code GET /batches/{id}} and {@code GET /files/{id}/content}.
 *
 * <p>Transient failures (I/O errors, timeouts, 429 and 5xx) are retried with the backend's
 * backoff up to its {@code retries}; a permanent status fails at once with a {@link
 * BackendException} whose message names the endpoint and status, never the API key (read, as for
 * live calls, from the variable the configuration names).
 */
public final class OpenAiBatchApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BackendConfig config;
  private final String apiKey;
  private final HttpClient http;

  private OpenAiBatchApi(BackendConfig config, String apiKey) {
    this.config = config;
    this.apiKey = apiKey;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** A client whose key (if the configuration names one) comes from {@code environment}. */
  public static OpenAiBatchApi create(BackendConfig config, Function<String, String> environment) {
    String key = null;
    if (!config.apiKeyEnv().isEmpty()) {
      key = environment.apply(config.apiKeyEnv());
      if (key == null || key.isEmpty()) {
        throw new IllegalStateException(
            "environment variable " + config.apiKeyEnv() + " (the API key of model "
                + config.model() + ") is not set");
      }
    }
    return new OpenAiBatchApi(config, key);
  }

  public static OpenAiBatchApi create(BackendConfig config) {
    return create(config, System::getenv);
  }

  /** Uploads a JSONL request file; returns the file id. */
  public String uploadBatchFile(String filename, byte[] content) throws BackendException {
    String boundary = "tarjama-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
            + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
            + filename + "\"\r\nContent-Type: application/jsonl\r\n\r\n";
    body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder request =
        request("files")
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    return json(send(request, "POST /files")).path("id").asText();
  }

  /** Creates a batch over an uploaded file, for the backend's endpoint; returns the batch. */
  public JsonNode createBatch(String inputFileId, String endpointPath) throws BackendException {
    ObjectNode body = JSON.createObjectNode();
    body.put("input_file_id", inputFileId);
    body.put("endpoint", endpointPath);
    body.put("completion_window", "24h");
    body.putObject("metadata").put("client", "tarjama");
    HttpRequest.Builder request =
        request("batches")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    return json(send(request, "POST /batches"));
  }

  /** The batch as the provider reports it now. */
  public JsonNode batch(String batchId) throws BackendException {
    return json(send(request("batches/" + batchId).GET(), "GET /batches/" + batchId));
  }

  /** A file's content (an output or error file), as UTF-8 text. */
  public String fileContent(String fileId) throws BackendException {
    return send(request("files/" + fileId + "/content").GET(), "GET /files/" + fileId + "/content");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(config.baseUrl() + "/" + path))
            .timeout(config.requestTimeout());
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  private String send(HttpRequest.Builder builder, String what) throws BackendException {
    HttpRequest request = builder.build();
    String last = "";
    int status = -1;
    for (int attempt = 1; ; attempt++) {
      boolean retryable;
      Optional<String> retryAfter = Optional.empty();
      try {
        HttpResponse<String> response =
            http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        status = response.statusCode();
        if (status >= 200 && status < 300) {
          return response.body();
        }
        last = "HTTP " + status + ": " + excerpt(response.body());
        retryable = RetryPolicy.isRetryableStatus(status);
        retryAfter = response.headers().firstValue("Retry-After");
      } catch (IOException e) {
        last = "I/O error " + e.getClass().getSimpleName();
        retryable = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException(what + " interrupted", -1, attempt, false);
      }
      if (!retryable || attempt >= config.maxAttempts()) {
        throw new BackendException(
            redact("model " + config.model() + ": " + what + " failed after " + attempt
                + " attempt(s): " + last), status, attempt, retryable);
      }
      Duration delay =
          retryAfter
              .flatMap(h -> RetryPolicy.parseRetryAfter(h, java.time.Instant.now()))
              .map(d -> RetryPolicy.afterRetryAfter(d, config.backoffBase()))
              .orElse(RetryPolicy.backoff(attempt, config.backoffBase(), config.backoffCap()));
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException(what + " interrupted", status, attempt, false);
      }
    }
  }

  private static JsonNode json(String body) throws BackendException {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new BackendException("batch API answered with a body that is not JSON", -1, 1, false);
    }
  }

  private String excerpt(String text) {
    String one = redact(text == null ? "" : text).replaceAll("\\s+", " ").strip();
    return one.length() <= 200 ? one : one.substring(0, 200) + "…";
  }

  private String redact(String text) {
    return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, "[REDACTED]");
  }
}
