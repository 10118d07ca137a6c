package dev.tarjama.models.serve;

import static dev.tarjama.models.serve.LetterTranslator.transliterate;
import static dev.tarjama.models.serve.TranslationServerTest.HTTP;
import static dev.tarjama.models.serve.TranslationServerTest.chatBody;
import static dev.tarjama.models.serve.TranslationServerTest.json;
import static dev.tarjama.models.serve.TranslationServerTest.post;
import static dev.tarjama.models.serve.TranslationServerTest.root;
import static dev.tarjama.models.serve.TranslationServerTest.tatoebaEnglish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's bounds on work, over real HTTP on 127.0.0.1: prompts per request, batch size, queue
 * depth, fair batches, and dropping a timed-out request's waiting texts. A gated model holds a
 * batch while the test queues more behind it, so the assertions need no timing.
 */
class ServerBoundsTest {
  private final List<RunningServer> started = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    started.forEach(RunningServer::close);
  }

  private RunningServer start(TranslationServer server) throws IOException {
    RunningServer running = server.withHost("127.0.0.1").withPort(0).withLog(log::add).start();
    started.add(running);
    return running;
  }

  static CompletableFuture<HttpResponse<String>> postAsync(RunningServer s, String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(root(s) + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String completionsBody(List<String> prompts) {
    ObjectNode body = TranslationServerTest.JSON.createObjectNode();
    ArrayNode array = body.putArray("prompt");
    prompts.forEach(array::add);
    return body.toString();
  }

  /** Waits (up to 10 s) for a state the server reaches by itself; no fixed sleeps. */
  static void waitUntil(java.util.function.BooleanSupplier condition, Object what) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not reached within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void aSmallRequestIsServedWhileALargeOneIsInProgress() throws Exception {
    LetterTranslator model = LetterTranslator.gated();
    RunningServer s =
        start(TranslationServer.over(model, "letters").withBatching(4, Duration.ZERO));
    List<String> many = tatoebaEnglish(100, 200);
    CompletableFuture<HttpResponse<String>> large =
        postAsync(s, "/v1/completions", completionsBody(many));
    model.awaitFirstCall(); // the large request's first batch holds the model
    String text = "Quiet zebras vex the jury.";
    CompletableFuture<HttpResponse<String>> small =
        postAsync(s, "/v1/chat/completions", chatBody(text, ""));
    waitUntil(() -> s.stats().completionRequests() == 2, s.stats()); // both are queued
    model.release();

    HttpResponse<String> smallAnswer = small.join();
    assertEquals(200, smallAnswer.statusCode(), smallAnswer.body());
    assertEquals(transliterate(text), json(smallAnswer).at("/choices/0/message/content").asText());
    HttpResponse<String> largeAnswer = large.join();
    assertEquals(200, largeAnswer.statusCode(), largeAnswer.body());
    JsonNode choices = json(largeAnswer).get("choices");
    assertEquals(many.size(), choices.size());
    for (int i = 0; i < many.size(); i++) {
      assertEquals(transliterate(many.get(i)), choices.get(i).get("text").asText());
    }

    List<LetterTranslator.Call> calls = model.calls();
    assertTrue(calls.stream().allMatch(c -> c.sources().size() <= 4),
        "no call over the batch size: " + calls.stream().map(c -> c.sources().size()).toList());
    int smallCall = -1;
    int lastLargeCall = -1;
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).sources().contains(text)) {
        smallCall = i;
      }
      if (calls.get(i).sources().contains(many.get(many.size() - 1))) {
        lastLargeCall = i;
      }
    }
    // Queued behind the large request's first batch, the small one rides in the very next one,
    // long before the large request's last text is translated.
    assertEquals(1, smallCall, "the small request's text went into call " + smallCall);
    assertTrue(lastLargeCall >= many.size() / 4, "the large request ends in call " + lastLargeCall);
  }

  @Test
  void aTimedOutRequestsWaitingTextsAreNeverRun() throws Exception {
    LetterTranslator model = LetterTranslator.gated();
    RunningServer s =
        start(
            TranslationServer.over(model, "letters")
                .withBatching(2, Duration.ZERO)
                .withRequestTimeout(Duration.ofMillis(300)));
    List<String> ten = tatoebaEnglish(300, 10);
    HttpResponse<String> r = post(s, "/v1/completions", completionsBody(ten));
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("server_error", json(r).at("/error/type").asText());
    model.release(); // the batch already in the model finishes; nobody waits for the other 8
    waitUntil(() -> s.stats().cancelledTexts() == 8, s.stats());
    ServerStats stats = s.stats();
    assertEquals(1, model.calls().size(), "only the batch that was running: " + model.calls());
    assertEquals(2, stats.sourcesTranslated());
    assertEquals(0, stats.queuedTexts());
    // The server goes on serving.
    assertEquals(200, post(s, "/v1/chat/completions", chatBody("Good night.", "")).statusCode());
  }

  @Test
  void aFullQueueAnswers429WithRetryAfterAndTakesRequestsAgainOnceItDrains() throws Exception {
    LetterTranslator model = LetterTranslator.gated();
    RunningServer s =
        start(
            TranslationServer.over(model, "letters")
                .withBatching(1, Duration.ZERO)
                .withLimits(4, 4));
    CompletableFuture<HttpResponse<String>> running =
        postAsync(s, "/v1/chat/completions", chatBody("One.", ""));
    model.awaitFirstCall();
    List<String> four = List.of("Two.", "Three.", "Four.", "Five.");
    CompletableFuture<HttpResponse<String>> waiting =
        postAsync(s, "/v1/completions", completionsBody(four));
    waitUntil(() -> s.stats().queuedTexts() == 4, s.stats());

    HttpResponse<String> refused = post(s, "/v1/chat/completions", chatBody("Six.", ""));
    assertEquals(429, refused.statusCode(), refused.body());
    int retryAfter = Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals("queue_full", json(refused).at("/error/code").asText());
    assertEquals(1, s.stats().refusedRequests());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("429 ")), log.toString());

    model.release();
    assertEquals(200, running.join().statusCode());
    assertEquals(200, waiting.join().statusCode());
    HttpResponse<String> again = post(s, "/v1/chat/completions", chatBody("Six.", ""));
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(6, s.stats().sourcesTranslated(), "the refused request never reached the model");
  }

  @Test
  void morePromptsThanTheLimitGet400NamingIt() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s = start(TranslationServer.over(model, "letters").withLimits(3, 100));
    HttpResponse<String> r =
        post(s, "/v1/completions", completionsBody(List.of("a b", "c d", "e f", "g h")));
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = json(r).get("error");
    assertEquals("prompt", error.get("param").asText());
    assertEquals("too_many_prompts", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("at most 3"), error.toString());
    assertEquals(0, model.calls().size());
    assertEquals(200,
        post(s, "/v1/completions", completionsBody(List.of("a b", "c d", "e f"))).statusCode());
  }
}
