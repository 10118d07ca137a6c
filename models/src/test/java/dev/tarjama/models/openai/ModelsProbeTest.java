package dev.tarjama.models.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one start-up probe of a backend's {@code GET /models}, against a real loopback server. */
class ModelsProbeTest {
  private HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>("{\"data\":[]}");
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicReference<String> authorization = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/models", exchange -> {
      requests.incrementAndGet();
      authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private BackendConfig config(String model) {
    return BackendConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + "/v1", model);
  }

  @Test
  void theServedModelsIdAndWeightsIdentifyIt() throws Exception {
    body.set("{\"object\":\"list\",\"data\":[{\"id\":\"other\",\"root\":\"/w/other\"},"
        + "{\"id\":\"gemma\",\"root\":\"/weights/gemma-3-27b-it\"}]}");
    ModelsProbe.Result result = ModelsProbe.probe(config("gemma"));
    assertTrue(result.checked());
    assertEquals(List.of("other", "gemma"), result.models());
    assertEquals(Map.of("server-id", "gemma", "server-root", "/weights/gemma-3-27b-it"),
        result.identity());
    assertEquals(1, requests.get(), "one request per probe");
  }

  @Test
  void aServerWithoutRootIsIdentifiedByTheIdAlone() throws Exception {
    body.set("{\"data\":[{\"id\":\"gemma\"}]}");
    assertEquals(Map.of("server-id", "gemma"), ModelsProbe.identity(config("gemma")));
  }

  @Test
  void aModelTheServerDoesNotListFailsTheProbeAndHasNoIdentity() {
    body.set("{\"data\":[{\"id\":\"gemma\"}]}");
    ModelsProbe.ProbeException e =
        assertThrows(ModelsProbe.ProbeException.class, () -> ModelsProbe.probe(config("seed-x")));
    assertTrue(e.getMessage().contains("'seed-x' is not served"), e.getMessage());
    assertTrue(e.getMessage().contains("gemma"), e.getMessage());
    assertEquals(Map.of(), ModelsProbe.identity(config("seed-x")));
  }

  @Test
  void noModelsEndpointLeavesTheBackendUnchecked() throws Exception {
    status.set(404);
    ModelsProbe.Result result = ModelsProbe.probe(config("gemma"));
    assertFalse(result.checked());
    assertEquals(Map.of(), result.identity());
  }

  @Test
  void aRefusedKeyFailsNamingTheVariableNeverTheKey() {
    status.set(401);
    BackendConfig keyed = config("gemma").withApiKeyEnv("PROBE_TEST_KEY");
    ModelsProbe.ProbeException e = assertThrows(ModelsProbe.ProbeException.class,
        () -> ModelsProbe.probe(keyed, name -> "sk-secret-value"));
    assertEquals("Bearer sk-secret-value", authorization.get());
    assertTrue(e.getMessage().contains("PROBE_TEST_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains("sk-secret-value"), e.getMessage());
  }

  @Test
  void aSecretManagerKeyTheLauncherCannotSendLeavesTheBackendUnprobed() throws Exception {
    status.set(401);
    BackendConfig secret =
        config("gemma").withApiKeySecret("projects/p/secrets/s/versions/1");
    assertFalse(ModelsProbe.probe(secret, name -> null).checked());
  }
}
