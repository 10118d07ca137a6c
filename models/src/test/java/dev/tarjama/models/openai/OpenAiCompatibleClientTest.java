package dev.tarjama.models.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tarjama.models.openai.BackendConfig.CandidateMode;
import dev.tarjama.models.openai.BackendConfig.Endpoint;

import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.testing.TatoebaSentences;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.models.testing.FakeOpenAiServer.Fault;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP client against a real server on loopback: success, retries, timeouts, secrecy. */
class OpenAiCompatibleClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PromptTemplate HALA = PromptTemplate.named("hala");
  private static List<String> sentences;

  private final List<AutoCloseable> open = new ArrayList<>();

  /** Real English sentences: the Tatoeba side of the data kit's parallel corpus. */
  @BeforeAll
  static void readSentences() throws IOException {
    sentences = TatoebaSentences.english(40, 20);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private FakeOpenAiServer server(FakeOpenAiServer.Builder builder) throws IOException {
    FakeOpenAiServer s = builder.start();
    open.add(s);
    return s;
  }

  private OpenAiCompatibleClient client(BackendConfig config) {
    OpenAiCompatibleClient c = OpenAiCompatibleClient.create(config);
    open.add(c);
    return c;
  }

  /** Quick retries, so that tests measure the server's Retry-After, not our backoff. */
  private static BackendConfig fast(FakeOpenAiServer server) {
    return BackendConfig.of(server.baseUrl(), "loopback-model")
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
        .withRequestTimeout(Duration.ofSeconds(10));
  }

  private static BackendException failureOf(CompletableFuture<?> future) throws Exception {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
    return assertInstanceOf(BackendException.class, e.getCause());
  }

  @Test
  void chatReturnsNCandidatesInIndexOrderWithServerUsage() throws Exception {
    FakeOpenAiServer server = server(FakeOpenAiServer.builder());
    OpenAiCompatibleClient client = client(fast(server).withTemperature(0.3).withMaxTokens(512));
    String text = sentences.get(0);

    Completion c = client.translate(HALA.render(text), 2).get(30, TimeUnit.SECONDS);

    assertEquals(
        List.of(TranslatorAnswers.translate(text, 0), TranslatorAnswers.translate(text, 1)),
        c.texts());
    assertTrue(c.texts().get(0).chars().anyMatch(ch -> Character.UnicodeScript.of(ch)
        == Character.UnicodeScript.ARABIC));
    assertEquals(List.of("stop", "stop"), c.finishReasons());
    assertFalse(c.usageEstimated());
    assertEquals(HALA.render(text).split("\\s+").length, c.promptTokens());
    assertTrue(c.completionTokens() > 0);
    assertEquals(1, c.calls());
    assertEquals(1, c.attempts());
    assertEquals(0, c.retries());

    JsonNode sent = JSON.readTree(server.requests().get(0).body());
    assertEquals("/v1/chat/completions", server.requests().get(0).path());
    assertEquals("loopback-model", sent.get("model").asText());
    assertEquals(2, sent.get("n").asInt());
    assertEquals(0.3, sent.get("temperature").asDouble());
    assertEquals(512, sent.get("max_tokens").asInt());
    assertEquals("user", sent.at("/messages/0/role").asText());
    assertEquals(HALA.render(text), sent.at("/messages/0/content").asText());
  }

  @Test
  void completionsWithSeededCallsGiveTheSameCandidatesAsN() throws Exception {
    FakeOpenAiServer server =
        server(
            FakeOpenAiServer.builder()
                .promptPrefix(TranslatorAnswers.SEED_X_PREFIX)
                .promptSuffix(TranslatorAnswers.SEED_X_SUFFIX));
    BackendConfig config = fast(server).withEndpoint(Endpoint.COMPLETIONS);
    String prompt = PromptTemplate.named("seed-x").render(sentences.get(1));

    Completion seeded =
        client(config.withCandidateMode(CandidateMode.SEEDED_CALLS))
            .translate(prompt, 3)
            .get(30, TimeUnit.SECONDS);
    Completion withN = client(config).translate(prompt, 3).get(30, TimeUnit.SECONDS);

    assertEquals(withN.texts(), seeded.texts());
    assertEquals(3, seeded.calls());
    assertEquals(3, seeded.attempts());
    assertEquals(4, server.requestCount());
    List<Long> seeds = new ArrayList<>();
    for (FakeOpenAiServer.RecordedRequest r : server.requests().subList(0, 3)) {
      JsonNode body = JSON.readTree(r.body());
      assertEquals("/v1/completions", r.path());
      assertEquals(prompt, body.get("prompt").asText());
      assertFalse(body.has("n"));
      seeds.add(body.get("seed").asLong());
    }
    assertEquals(List.of(0L, 1L, 2L), seeds.stream().sorted().toList());
    // Each seeded call pays for the prompt again.
    assertEquals(3 * withN.promptTokens(), seeded.promptTokens());
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterSeconds() throws Exception {
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().faultOnRequest(1, Fault.tooManyRequests("1")));
    OpenAiCompatibleClient client = client(fast(server));

    long start = System.nanoTime();
    Completion c = client.translate(HALA.render(sentences.get(2)), 1).get(30, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertTrue(elapsedMs >= 1000, "waited only " + elapsedMs + " ms of Retry-After: 1");
    assertEquals(2, c.attempts());
    assertEquals(1, c.retries());
    assertEquals(2, server.requestCount());
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterHttpDate() throws Exception {
    // Two seconds ahead, at the header's one-second resolution: at least one second to wait.
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.now().plusSeconds(2).atOffset(ZoneOffset.UTC));
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().faultOnRequest(1, Fault.tooManyRequests(date)));
    OpenAiCompatibleClient client = client(fast(server));

    long start = System.nanoTime();
    Completion c = client.translate(HALA.render(sentences.get(3)), 1).get(30, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertTrue(elapsedMs >= 1000, "waited only " + elapsedMs + " ms for " + date);
    assertEquals(2, c.attempts());
  }

  @Test
  void unavailableThenSuccess() throws Exception {
    FakeOpenAiServer server =
        server(
            FakeOpenAiServer.builder()
                .faultOnRequest(1, Fault.unavailable(null))
                .faultOnRequest(2, Fault.unavailable("0")));
    Completion c =
        client(fast(server)).translate(HALA.render(sentences.get(4)), 1).get(30, TimeUnit.SECONDS);
    assertEquals(List.of(TranslatorAnswers.translate(sentences.get(4), 0)), c.texts());
    assertEquals(3, c.attempts());
  }

  @Test
  void serverErrorsAndUnreadableBodiesAreRetried() throws Exception {
    FakeOpenAiServer server =
        server(
            FakeOpenAiServer.builder()
                .faultOnRequest(1, Fault.status(500))
                .faultOnRequest(2, Fault.status(502))
                .faultOnRequest(3, Fault.nonJson())
                .faultOnRequest(4, Fault.emptyBody())
                .faultOnRequest(5, Fault.status(504)));
    Completion c =
        client(fast(server))
            .translate(HALA.render(sentences.get(5)), 2)
            .get(30, TimeUnit.SECONDS);
    assertEquals(6, c.attempts());
    assertEquals(2, c.texts().size());
  }

  @Test
  void timeoutThenSuccess() throws Exception {
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().faultOnRequest(1, Fault.delay(Duration.ofSeconds(5))));
    OpenAiCompatibleClient client =
        client(fast(server).withRequestTimeout(Duration.ofMillis(400)));

    long start = System.nanoTime();
    Completion c = client.translate(HALA.render(sentences.get(6)), 1).get(30, TimeUnit.SECONDS);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertEquals(2, c.attempts());
    assertTrue(elapsedMs >= 400 && elapsedMs < 5000, "elapsed " + elapsedMs + " ms");
  }

  @Test
  void permanentClientErrorFailsAtOnce() throws Exception {
    FakeOpenAiServer server = server(FakeOpenAiServer.builder());
    OpenAiCompatibleClient client = client(fast(server).withMaxAttempts(6));

    // A prompt without the expected instruction: the server answers 400, asking again is useless.
    BackendException e = failureOf(client.translate("Say hi: " + sentences.get(7), 1));

    assertEquals(400, e.status());
    assertEquals(1, e.attempts());
    assertFalse(e.retryable());
    assertEquals(1, server.requestCount());
    assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
    assertTrue(e.getMessage().contains("expected instruction"), e.getMessage());
    assertTrue(e.getMessage().contains("loopback-model"), e.getMessage());
  }

  @Test
  void exhaustedRetriesYieldTheLastError() throws Exception {
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().alwaysFail(Fault.status(500)));
    OpenAiCompatibleClient client = client(fast(server).withMaxAttempts(3));

    BackendException e = failureOf(client.translate(HALA.render(sentences.get(8)), 2));

    assertEquals(500, e.status());
    assertEquals(3, e.attempts());
    assertTrue(e.retryable());
    assertEquals(3, server.requestCount());
    assertTrue(e.getMessage().contains("failed after 3 attempts: HTTP 500"), e.getMessage());
  }

  @Test
  void exhaustedTimeoutsSayTheyTimedOut() throws Exception {
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().alwaysFail(Fault.delay(Duration.ofSeconds(5))));
    OpenAiCompatibleClient client =
        client(fast(server).withRequestTimeout(Duration.ofMillis(200)).withMaxAttempts(2));
    BackendException e = failureOf(client.translate(HALA.render(sentences.get(9)), 1));
    assertEquals(-1, e.status());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
  }

  @Test
  void connectionErrorsAreRetriedThenReported() throws Exception {
    FakeOpenAiServer gone = FakeOpenAiServer.start();
    String url = gone.baseUrl();
    gone.close(); // nothing listens on its port any more
    OpenAiCompatibleClient client =
        client(
            BackendConfig.of(url, "loopback-model")
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50))
                .withMaxAttempts(3));
    BackendException e = failureOf(client.translate(HALA.render(sentences.get(13)), 1));
    assertEquals(-1, e.status());
    assertEquals(3, e.attempts());
    assertTrue(e.retryable());
    assertTrue(e.getMessage().contains("I/O error"), e.getMessage());
  }

  @Test
  void theApiKeyIsSentButNeverShown() throws Exception {
    String secret = "sk-loopback-7f3a9c1e5d2b";
    FakeOpenAiServer server =
        server(
            FakeOpenAiServer.builder()
                .requiredApiKey(secret)
                .faultWhenPromptContains(sentences.get(11), -1, Fault.echoAuthorization(400)));
    BackendConfig config = fast(server).withApiKeyEnv("LOOPBACK_API_KEY").withMaxAttempts(2);
    OpenAiCompatibleClient client =
        OpenAiCompatibleClient.create(config, Map.of("LOOPBACK_API_KEY", secret)::get);
    open.add(client);

    Completion ok = client.translate(HALA.render(sentences.get(10)), 1).get(30, TimeUnit.SECONDS);
    assertEquals(1, ok.texts().size());
    assertTrue(server.requests().get(0).authorized());

    // The server quotes "Authorization: Bearer <key>" back in its error body.
    BackendException echoed = failureOf(client.translate(HALA.render(sentences.get(11)), 1));
    assertTrue(echoed.getMessage().contains("Authorization: Bearer [redacted]"),
        echoed.getMessage());

    // Without the key, the server refuses: a permanent 401 whose message holds no key either.
    OpenAiCompatibleClient keyless = client(fast(server));
    BackendException refused = failureOf(keyless.translate(HALA.render(sentences.get(10)), 1));
    assertEquals(401, refused.status());
    assertEquals(1, refused.attempts());

    for (String shown :
        List.of(
            client.toString(),
            config.toString(),
            echoed.getMessage(),
            echoed.toString(),
            refused.getMessage())) {
      assertFalse(shown.contains(secret), shown);
      assertFalse(shown.contains("7f3a9c"), shown);
    }
    assertTrue(client.toString().contains("$LOOPBACK_API_KEY"), client.toString());
  }

  @Test
  void concurrencyIsBoundedPerClientWithoutBlockingTheCaller() throws Exception {
    FakeOpenAiServer server =
        server(FakeOpenAiServer.builder().alwaysFail(Fault.delay(Duration.ofMillis(300))));
    OpenAiCompatibleClient client = client(fast(server).withConcurrency(3));

    long start = System.nanoTime();
    List<CompletableFuture<Completion>> futures = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      futures.add(client.translate(HALA.render(sentences.get(i)), 1));
    }
    long submitMs = (System.nanoTime() - start) / 1_000_000;
    // A caller that waited for free slots would need 3 rounds (900 ms) to submit all 12.
    assertTrue(submitMs < 600, "submitting blocked for " + submitMs + " ms");
    for (int i = 0; i < 12; i++) {
      assertEquals(
          TranslatorAnswers.translate(sentences.get(i), 0),
          futures.get(i).get(30, TimeUnit.SECONDS).texts().get(0));
    }
    long totalMs = (System.nanoTime() - start) / 1_000_000;

    assertEquals(3, server.maxConcurrentRequests());
    assertEquals(3, client.maxInFlight());
    // 12 requests of 300 ms, 3 at a time: at least 4 rounds.
    assertTrue(totalMs >= 4 * 300, "total " + totalMs + " ms");
    assertEquals(0, client.inFlight());
  }

  @Test
  void missingUsageIsEstimatedAndMarked() throws Exception {
    FakeOpenAiServer server = server(FakeOpenAiServer.builder().omitUsage());
    String prompt = HALA.render(sentences.get(12));
    Completion c = client(fast(server)).translate(prompt, 2).get(30, TimeUnit.SECONDS);
    assertTrue(c.usageEstimated());
    assertEquals(OpenAiCompatibleClient.estimateTokens(prompt), c.promptTokens());
    assertEquals(
        OpenAiCompatibleClient.estimateTokens(c.texts().get(0))
            + OpenAiCompatibleClient.estimateTokens(c.texts().get(1)),
        c.completionTokens());
  }

  @Test
  void placeholdersTravelUntouchedUnlessTheServerIsToldToMishandleThem() throws Exception {
    FakeOpenAiServer server =
        server(
            FakeOpenAiServer.builder()
                .placeholderFault(1, TranslatorAnswers.PlaceholderFault.DROP)
                .placeholderFault(2, TranslatorAnswers.PlaceholderFault.TRANSLATE));
    String text = "Run ⟦0⟧ then open ⟦1⟧.\nDone.";
    Completion c = client(fast(server)).translate(HALA.render(text), 3).get(30, TimeUnit.SECONDS);
    assertTrue(c.texts().get(0).contains("⟦0⟧") && c.texts().get(0).contains("⟦1⟧"));
    assertTrue(c.texts().get(0).endsWith(".\n" + TranslatorAnswers.translate("Done.", 0)));
    assertFalse(c.texts().get(1).contains("⟦"));
    assertTrue(c.texts().get(2).contains("⟦٠⟧") && !c.texts().get(2).contains("⟦0⟧"));
  }
}
