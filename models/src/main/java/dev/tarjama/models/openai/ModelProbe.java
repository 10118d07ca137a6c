package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Asks an OpenAI-compatible server which model it serves ({@code GET BASE/models}) and returns
 * what identifies it: the entry whose {@code id} is the configured model, as {@code server-id}
 * and, when the server reports it (vLLM's {@code root}: the weights it loaded), {@code
 * server-root}. The cache keys of that backend carry these, so another model served under the
 * same name is not answered from the cache.
 *
 * <p>A minimal probe for the cache key; the start-up backend probe of the command line (exit 2
 * for an unreachable backend) is another's. Empty when the server does not answer, answers
 * without a models list (many test servers and some proxies), or does not list the model: the
 * backend is then identified by its name and {@code model-version=} alone. The API key, when
 * set, is sent as for completions and never appears in a message.
 */
public final class ModelProbe {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelProbe() {}

  /** What the server at {@code config}'s base URL reports about {@code config}'s model. */
  public static Optional<Map<String, String>> identify(BackendConfig config, Duration timeout) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(config.baseUrl() + "/models")).timeout(timeout).GET();
      String key = config.apiKeyEnv() == null ? null : System.getenv(config.apiKeyEnv());
      if (key != null && !key.isEmpty()) {
        request.header("Authorization", "Bearer " + key);
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode data = JSON.readTree(response.body()).path("data");
      for (JsonNode model : data) {
        if (config.model().equals(model.path("id").asText(null))) {
          Map<String, String> identity = new TreeMap<>();
          identity.put("server-id", model.path("id").asText());
          if (model.path("root").isTextual()) {
            identity.put("server-root", model.path("root").asText());
          }
          return Optional.of(identity);
        }
      }
      return Optional.empty();
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
