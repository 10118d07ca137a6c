package dev.tarjama.models.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretManagerKeys} against loopback stand-ins for the two Google endpoints (GCP itself
 * cannot exist here): a metadata server that hands out a token only with {@code Metadata-Flavor:
 * Google}, and a Secret Manager that answers {@code …/versions/V:access} only with that token, in
 * the REST API's own JSON shape.
 */
class SecretManagerKeysTest {
  static final String VERSION = "projects/tarjama-test/secrets/gemma-key/versions/3";
  static final String TOKEN = "ya29.loopback-token";
  static final String KEY = "sk-the-real-key";

  HttpServer server;
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  volatile String payloadJson;
  volatile int secretStatus = 200;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", exchange -> {
      requests.add("token " + exchange.getRequestHeaders().getFirst("Metadata-Flavor"));
      boolean flavored = "Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"));
      respond(exchange, flavored ? 200 : 403, flavored
          ? "{\"access_token\": \"" + TOKEN + "\", \"expires_in\": 3599, \"token_type\": \"Bearer\"}"
          : "{}");
    });
    server.createContext("/v1/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.add("GET " + path);
      boolean authorized =
          ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
      boolean known = path.equals("/v1/" + VERSION + ":access");
      respond(exchange, !authorized ? 401 : !known ? 404 : secretStatus, payloadJson);
    });
    server.start();
    payloadJson = payload(KEY + "\n", true);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status,
      String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  static String payload(String value, boolean withCrc) {
    byte[] data = value.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(data);
    return "{\"name\": \"" + VERSION + "\", \"payload\": {\"data\": \""
        + Base64.getEncoder().encodeToString(data) + "\""
        + (withCrc ? ", \"dataCrc32c\": \"" + crc.getValue() + "\"" : "") + "}}";
  }

  SecretManagerKeys keys() {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    return new SecretManagerKeys(base + "/v1/", URI.create(base + "/token"));
  }

  @Test
  void readsTheKeyWithTheMetadataServersTokenAndChecksItsCrc() {
    assertEquals(KEY, keys().access(VERSION));
    assertEquals(List.of("token Google", "GET /v1/" + VERSION + ":access"), requests);
    payloadJson = payload(KEY, false);
    assertEquals(KEY, keys().access(VERSION), "dataCrc32c is optional");
  }

  @Test
  void failuresNameTheSecretAndTheStatusNeverAValue() {
    secretStatus = 403;
    IllegalStateException denied =
        assertThrows(IllegalStateException.class, () -> keys().access(VERSION));
    assertEquals("secret " + VERSION + ": Secret Manager answered HTTP 403", denied.getMessage());

    secretStatus = 200;
    payloadJson = payload(KEY, true).replace(Base64.getEncoder().encodeToString(
        KEY.getBytes(StandardCharsets.UTF_8)), Base64.getEncoder().encodeToString(
        "sk-the-real-kex".getBytes(StandardCharsets.UTF_8)));
    IllegalStateException damaged =
        assertThrows(IllegalStateException.class, () -> keys().access(VERSION));
    assertTrue(damaged.getMessage().contains("fails its CRC32C"), damaged.getMessage());

    payloadJson = payload("  \n", true);
    assertThrows(IllegalStateException.class, () -> keys().access(VERSION));

    String unknown = "projects/tarjama-test/secrets/other/versions/1";
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> keys().access(unknown));
    assertEquals("secret " + unknown + ": Secret Manager answered HTTP 404", missing.getMessage());
    for (IllegalStateException e : List.of(denied, damaged, missing)) {
      assertFalse(e.getMessage().contains(TOKEN) || e.getMessage().contains("sk-the-real"),
          e.getMessage());
    }
  }

  @Test
  void aBackendWithAKeySecretSendsTheSecretsValueAsItsBearerKey() throws Exception {
    List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    server.createContext("/api/v1/chat/completions", exchange -> {
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      respond(exchange, 200, "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\","
          + " \"content\": \"مرحبا\"}, \"finish_reason\": \"stop\"}],"
          + " \"usage\": {\"prompt_tokens\": 3, \"completion_tokens\": 1}}");
    });
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    BackendConfig config = BackendConfig.of(base + "/api/v1", "gemma").withApiKeySecret(VERSION);
    System.setProperty("tarjama.secretmanager.url", base + "/v1/");
    System.setProperty("tarjama.gcp.token.url", base + "/token");
    try (OpenAiCompatibleClient client = OpenAiCompatibleClient.create(config, name -> null)) {
      assertTrue(client.toString().contains("key from secret " + VERSION), client.toString());
      assertFalse(client.toString().contains(KEY));
      client.translate("Hello", 1).get();
    } finally {
      System.clearProperty("tarjama.secretmanager.url");
      System.clearProperty("tarjama.gcp.token.url");
    }
    assertEquals(List.of("Bearer " + KEY), authorizations);
  }

  @Test
  void aSecretIsAVersionNameAndNeverBesideAKeyVariable() {
    assertTrue(SecretManagerKeys.isSecretVersion(VERSION));
    assertTrue(SecretManagerKeys.isSecretVersion("projects/p/secrets/s/versions/latest"));
    assertFalse(SecretManagerKeys.isSecretVersion("projects/p/secrets/s"));
    assertFalse(SecretManagerKeys.isSecretVersion("sk-the-real-key"));
    assertThrows(IllegalArgumentException.class,
        () -> BackendConfig.of("http://127.0.0.1:9/v1", "m").withApiKeySecret("gemma-key"));
    assertThrows(IllegalArgumentException.class,
        () -> BackendConfig.of("http://127.0.0.1:9/v1", "m").withApiKeyEnv("KEY")
            .withApiKeySecret(VERSION));
  }
}
