package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reads an API key from Google Secret Manager on the machine that builds the client: a Dataflow
 * worker does not inherit the launcher's environment, so {@code key-env} cannot work there, while
 * every Dataflow (and GCE, GKE) worker can ask its metadata server for its service account's
 * access token. Two REST calls, no client library (whose gRPC stack would sit beside Beam's):
 *
 * <ol>
 *   <li>{@code GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token}
 *       with {@code Metadata-Flavor: Google} → {@code access_token};
 *   <li>{@code GET https://secretmanager.googleapis.com/v1/projects/P/secrets/S/versions/V:access}
 *       with {@code Authorization: Bearer …} → {@code payload.data} (base64), checked against
 *       {@code payload.dataCrc32c} when the answer carries it.
 * </ol>
 *
 * The service account needs {@code roles/secretmanager.secretAccessor} on the secret. Errors name
 * the secret version and the HTTP status, never a token or a value. The system properties {@code
 * tarjama.secretmanager.url} and {@code tarjama.gcp.token.url} replace the two endpoints (a
 * private endpoint; tests on loopback).
 */
public final class SecretManagerKeys {
  static final String SECRET_MANAGER = "https://secretmanager.googleapis.com/v1/";
  static final String METADATA_TOKEN =
      "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";
  private static final Pattern VERSION =
      Pattern.compile("projects/[A-Za-z0-9_.:-]+/secrets/[A-Za-z0-9_-]+/versions/[A-Za-z0-9_-]+");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final String secretManager;
  private final URI tokenUri;
  private final HttpClient http;

  SecretManagerKeys(String secretManager, URI tokenUri) {
    this.secretManager = secretManager.endsWith("/") ? secretManager : secretManager + "/";
    this.tokenUri = tokenUri;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Google's endpoints (or the ones the system properties name). */
  public static SecretManagerKeys google() {
    return new SecretManagerKeys(
        System.getProperty("tarjama.secretmanager.url", SECRET_MANAGER),
        URI.create(System.getProperty("tarjama.gcp.token.url", METADATA_TOKEN)));
  }

  /** Whether {@code name} is a secret version, {@code projects/P/secrets/S/versions/V}. */
  public static boolean isSecretVersion(String name) {
    return VERSION.matcher(name).matches();
  }

  /**
   * The secret's value, stripped of surrounding whitespace.
   *
   * @throws IllegalStateException naming the secret version when the token or the secret cannot
   *     be read, or the value is empty or damaged
   */
  public String access(String version) {
    if (!isSecretVersion(version)) {
      throw new IllegalArgumentException("not a secret version: " + version);
    }
    String token = text(get(HttpRequest.newBuilder(tokenUri).header("Metadata-Flavor", "Google"),
        version, "the metadata server's access token"), "access_token", version);
    JsonNode payload = get(
        HttpRequest.newBuilder(URI.create(secretManager + version + ":access"))
            .header("Authorization", "Bearer " + token),
        version, "Secret Manager").path("payload");
    byte[] data;
    try {
      data = Base64.getDecoder().decode(text(payload, "data", version));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("secret " + version + ": the payload is not base64");
    }
    if (payload.hasNonNull("dataCrc32c")) {
      CRC32C crc = new CRC32C();
      crc.update(data);
      if (crc.getValue() != payload.get("dataCrc32c").asLong()) {
        throw new IllegalStateException("secret " + version + ": the payload fails its CRC32C");
      }
    }
    String key = new String(data, StandardCharsets.UTF_8).strip();
    if (key.isEmpty()) {
      throw new IllegalStateException("secret " + version + " is empty");
    }
    return key;
  }

  private JsonNode get(HttpRequest.Builder request, String version, String what) {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "secret " + version + ": " + what + " is unreachable (" + e.getClass().getSimpleName()
              + ": " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("secret " + version + ": interrupted");
    }
    if (response.statusCode() != 200) {
      // The body may echo what was sent; the status says enough (403: no secretAccessor role).
      throw new IllegalStateException(
          "secret " + version + ": " + what + " answered HTTP " + response.statusCode());
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("secret " + version + ": " + what + " answered no JSON");
    }
  }

  private static String text(JsonNode node, String field, String version) {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new IllegalStateException("secret " + version + ": the answer has no " + field);
    }
    return value.asText();
  }
}
