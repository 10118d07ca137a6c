package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One {@code GET {base}/models} before a run spends anything: is the server reachable, does it
 * accept the key, does it serve the configured model. A server without the endpoint (404/405) is
 * not a failure: {@link Result#checked()} is false and the run goes on unprobed.
 *
 * <p>{@link Result#identity()} is what identifies the served model: its {@code id} as {@code
 * server-id} and, when the server reports it (vLLM's {@code root}: the weights it loaded), {@code
 * server-root}. The cache keys of that backend carry these, so another model served under the same
 * name is not answered from the cache. Messages name the URL and the model, never a key.
 *
 * <p>A backend whose key is a Secret Manager secret ({@code key-secret=}) is resolved on the
 * workers; the launcher may not be able to read it, so a refused key there leaves the backend
 * unprobed instead of failing.
 */
public final class ModelsProbe {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the probe found.
   *
   * @param checked false when the server has no models endpoint (or the launcher cannot hold the
   *     key): nothing was checked
   * @param modelId the id the server reports for the configured model
   * @param models every id it lists
   * @param identity {@code server-id} and {@code server-root} of the configured model, for the
   *     cache keys; empty when not checked
   */
  public record Result(
      boolean checked, Optional<String> modelId, List<String> models, Map<String, String> identity) {
    static Result unchecked() {
      return new Result(false, Optional.empty(), List.of(), Map.of());
    }
  }

  /** The probe failed: the run must not start. The message is one line, without the key. */
  public static final class ProbeException extends Exception {
    private static final long serialVersionUID = 1L;

    ProbeException(String message) {
      super(message);
    }
  }

  private ModelsProbe() {}

  /** Probes with the key from the process environment (when the config names a variable). */
  public static Result probe(BackendConfig config) throws ProbeException {
    return probe(config, System::getenv);
  }

  /**
   * The served model's identity for the cache keys, or empty when the server cannot be probed
   * (unreachable, no models list, model not listed): that backend is then identified by its name
   * and {@code model-version=} alone. For commands that do not stop on a failed probe.
   */
  public static Map<String, String> identity(BackendConfig config) {
    try {
      return probe(config).identity();
    } catch (ProbeException e) {
      return Map.of();
    }
  }

  /**
   * Probes {@code config}'s server with its key looked up in {@code environment}.
   *
   * @throws ProbeException when the server cannot be reached, refuses the key, answers something
   *     that is not a model list, or does not list the model
   */
  public static Result probe(BackendConfig config, Function<String, String> environment)
      throws ProbeException {
    URI uri = URI.create(config.baseUrl() + "/models");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(config.connectTimeout().plus(Duration.ofSeconds(10)))
            .GET();
    if (!config.apiKeyEnv().isEmpty()) {
      String key = environment.apply(config.apiKeyEnv());
      if (key == null || key.isBlank()) {
        throw new ProbeException(
            "environment variable " + config.apiKeyEnv() + " (API key for " + config.baseUrl()
                + ") is not set");
      }
      request.header("Authorization", "Bearer " + key.strip());
    }
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new ProbeException(config.baseUrl() + " is not reachable (connection refused)");
    } catch (HttpTimeoutException e) {
      throw new ProbeException(config.baseUrl() + " is not reachable (timed out)");
    } catch (IOException e) {
      throw new ProbeException(config.baseUrl() + " is not reachable (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeException("interrupted while probing " + config.baseUrl());
    }
    int status = response.statusCode();
    if ((status == 401 || status == 403) && !config.apiKeySecret().isEmpty()) {
      return Result.unchecked();
    }
    if (status == 401 || status == 403) {
      throw new ProbeException(
          uri + " refused the API key (HTTP " + status + ")"
              + (config.apiKeyEnv().isEmpty()
                  ? "; give key-env=VAR with the key in that variable"
                  : " from " + config.apiKeyEnv()));
    }
    if (status == 404 || status == 405) {
      return Result.unchecked();
    }
    if (status / 100 != 2) {
      throw new ProbeException(uri + " answered HTTP " + status);
    }
    List<String> models = new ArrayList<>();
    Map<String, String> identity = new TreeMap<>();
    try {
      JsonNode data = JSON.readTree(response.body()).path("data");
      if (!data.isArray()) {
        throw new ProbeException(uri + " did not answer a model list (no \"data\" array)");
      }
      for (JsonNode m : data) {
        if (m.path("id").isTextual()) {
          models.add(m.get("id").asText());
          if (identity.isEmpty() && config.model().equals(m.get("id").asText())) {
            identity.put("server-id", m.get("id").asText());
            if (m.path("root").isTextual()) {
              identity.put("server-root", m.get("root").asText());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new ProbeException(uri + " did not answer JSON");
    }
    if (!models.contains(config.model())) {
      throw new ProbeException(
          "model '" + config.model() + "' is not served at " + config.baseUrl() + "; it serves: "
              + (models.isEmpty() ? "(none)" : String.join(", ", models.subList(0, Math.min(10,
                  models.size())))));
    }
    return new Result(true, Optional.of(config.model()), List.copyOf(models), Map.copyOf(identity));
  }
}
