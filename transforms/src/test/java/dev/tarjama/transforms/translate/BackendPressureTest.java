package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.testing.TatoebaSentences;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.models.testing.FakeOpenAiServer.Fault;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's adaptive limiter, pause and budgets against a real server on loopback that caps
 * its concurrency with 429s, asks for pauses, and takes a fixed time per answer.
 */
class BackendPressureTest {
  private static final PromptTemplate HALA = PromptTemplate.named("hala");
  private static List<String> sentences;

  /** Real English sentences of the data kit (Tatoeba), long enough to weigh some tokens. */
  @BeforeAll
  static void readSentences() throws IOException {
    sentences = TatoebaSentences.english(50, 300);
  }

  private static BackendConfig config(FakeOpenAiServer server) {
    return BackendConfig.of(server.baseUrl(), "loopback-model")
        .withBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .withMaxAttempts(50)
        .withRequestTimeout(Duration.ofSeconds(10));
  }

  /** Sends sentences [from, to) at once and checks every translation. */
  private static void translateAll(OpenAiCompatibleClient client, int from, int to)
      throws Exception {
    List<CompletableFuture<Completion>> futures = new ArrayList<>();
    for (int i = from; i < to; i++) {
      futures.add(client.translate(HALA.render(sentences.get(i)), 1));
    }
    for (int i = from; i < to; i++) {
      assertEquals(
          TranslatorAnswers.translate(sentences.get(i), 0),
          futures.get(i - from).get(60, TimeUnit.SECONDS).texts().get(0));
    }
  }

  @Test
  void theLimitDropsWhenTheServerSays429AndRecoversWhenItStops() throws Exception {
    try (FakeOpenAiServer server =
            FakeOpenAiServer.builder().threads(32).serviceTime(Duration.ofMillis(20)).start();
        OpenAiCompatibleClient client =
            OpenAiCompatibleClient.create(config(server).withConcurrency(16))) {
      // A hosted API's concurrency limit: 4 at once, the rest refused with 429.
      server.rejectAbove(4, null);
      translateAll(client, 0, 80);
      assertTrue(server.capRejections() > 0, "the cap never bit");
      assertTrue(client.limitDecreases() >= 2, "decreases: " + client.limitDecreases());
      assertTrue(client.concurrencyLimit() <= 8, "limit " + client.concurrencyLimit());
      int rejectedUnderCap = server.capRejections();

      // The limit lifts: successes grow the limit back to the configured 16, never above it.
      server.rejectAbove(Integer.MAX_VALUE, null);
      translateAll(client, 80, 300);
      assertEquals(16, client.concurrencyLimit());
      assertEquals(rejectedUnderCap, server.capRejections());
      assertTrue(server.maxConcurrentRequests() <= 16, "" + server.maxConcurrentRequests());
      assertTrue(client.maxInFlight() <= 16);
      assertEquals(0, client.inFlight());
    }
  }

  @Test
  void aFixedLimitKeepsHammeringWhereTheAdaptiveOneBacksOff() throws Exception {
    int[] rejections = new int[2];
    for (boolean adaptive : new boolean[] {false, true}) {
      try (FakeOpenAiServer server =
              FakeOpenAiServer.builder().threads(32).serviceTime(Duration.ofMillis(20)).start();
          OpenAiCompatibleClient client =
              OpenAiCompatibleClient.create(
                  config(server).withConcurrency(16).withAdaptive(adaptive))) {
        server.rejectAbove(4, null);
        translateAll(client, 0, 80);
        rejections[adaptive ? 1 : 0] = server.capRejections();
        if (!adaptive) {
          assertEquals(16, client.concurrencyLimit());
          assertEquals(0, client.limitDecreases());
        }
      }
    }
    // Same 80 translations; AIMD wastes far fewer requests on a server that is full.
    assertTrue(rejections[1] * 2 < rejections[0],
        "429s fixed " + rejections[0] + ", adaptive " + rejections[1]);
  }

  @Test
  void retryAfterPausesEverySendOfTheBackend() throws Exception {
    try (FakeOpenAiServer server =
            FakeOpenAiServer.builder().faultOnRequest(1, Fault.tooManyRequests("1")).start();
        OpenAiCompatibleClient client =
            OpenAiCompatibleClient.create(config(server).withConcurrency(4))) {
      long start = System.nanoTime();
      CompletableFuture<Completion> first = client.translate(HALA.render(sentences.get(0)), 1);
      while (client.pauses() == 0) {
        Thread.sleep(5); // until the 429 has reached the client
      }
      List<CompletableFuture<Completion>> later = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        later.add(client.translate(HALA.render(sentences.get(i)), 1));
      }
      Thread.sleep(500);
      // Free slots, yet no other request went: the server asked the client to wait a second.
      assertEquals(1, server.requestCount());
      assertEquals(1, client.pauses());
      first.get(30, TimeUnit.SECONDS);
      for (CompletableFuture<Completion> f : later) {
        f.get(30, TimeUnit.SECONDS);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 1000, "done after " + ms + " ms");
      assertEquals(7, server.requestCount()); // 6 requests and the retry
    }
  }

  @Test
  void aTokenBudgetHoldsBurstsDownAndUsageGivesBackWhatWasNotUsed() throws Exception {
    // 1,200 tokens a minute: a bucket of 200. Each request is estimated at its prompt (~25
    // tokens) + max_tokens 75 = ~100, so two fit; the server's usage (words) is far lower, and the
    // refund lets the next ones go long before the budget would refill by time (5 s per 100).
    try (FakeOpenAiServer server =
            FakeOpenAiServer.builder().serviceTime(Duration.ofMillis(100)).start();
        OpenAiCompatibleClient client =
            OpenAiCompatibleClient.create(
                config(server).withConcurrency(16).withMaxTokens(75).withTokensPerMinute(1_200))) {
      long start = System.nanoTime();
      translateAll(client, 0, 8);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(server.maxConcurrentRequests() <= 2, "" + server.maxConcurrentRequests());
      // By refill alone the 8 requests would take (800 - 200) / 20 = 30 s.
      assertTrue(ms < 10_000, "refunds should have let requests go sooner: " + ms + " ms");
    }
  }

  @Test
  void aRequestBudgetSpacesRequests() throws Exception {
    // 120 requests a minute: a burst of 20, then 2 a second.
    try (FakeOpenAiServer server = FakeOpenAiServer.start();
        OpenAiCompatibleClient client =
            OpenAiCompatibleClient.create(
                config(server).withConcurrency(64).withRequestsPerMinute(120))) {
      long start = System.nanoTime();
      translateAll(client, 0, 23);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(23, server.requestCount());
      assertTrue(ms >= 1_400, "3 requests over the burst at 2/s need ~1.5 s: " + ms + " ms");
      assertFalse(client.toString().isEmpty());
    }
  }
}
