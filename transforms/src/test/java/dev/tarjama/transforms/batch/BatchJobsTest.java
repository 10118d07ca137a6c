package dev.tarjama.transforms.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.BatchSettings;
import dev.tarjama.models.testing.BatchEndpoints;
import dev.tarjama.models.testing.BatchEndpoints.Plan;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BatchJobs} against a real batch API on loopback, with a real engine behind it. */
class BatchJobsTest {
  static final BatchJobs.Settings WAIT = new BatchJobs.Settings(true, Duration.ofMillis(1));
  static final List<String> TEXTS =
      List.of("One apple.", "Two pears.", "Three plums.", "Four figs.", "Five limes.");

  @TempDir Path tmp;
  FakeOpenAiServer engine;
  BatchEndpoints api;
  String cacheUri;
  TranslationCache cache;
  ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    engine = FakeOpenAiServer.start();
    api = engine.batches();
    cacheUri = "sqlite:" + tmp.resolve("cache.db");
    cache = TranslationCaches.acquire(cacheUri);
  }

  @AfterEach
  void stop() {
    TranslationCaches.release(cacheUri);
    engine.close();
  }

  BackendSpec backend(String extra) {
    return BackendSpec.parse("name=b,kind=openai-batch,url=" + api.baseUrl()
        + ",model=m,k=2,seed=5,temperature=0.2,price-in=2,price-out=8,batch-lines=2" + extra);
  }

  BatchJobs.Outcome run(BackendSpec b, BatchJobs.Settings settings, SpendingLimit limit) {
    return BatchJobs.run(b, TEXTS, tmp.resolve("batches").resolve(b.name()), cache, limit,
        settings, BatchJobs.openAi(b), new PrintStream(log, true));
  }

  @Test
  void everyLineEndsAnsweredThroughExpiryDropsConflictsAndCancellation() throws Exception {
    // 5 texts, 2 lines a batch: batches 1-3 first, then the resubmissions.
    api.plan(1, Plan.EXPIRE_PARTIAL).plan(2, Plan.DROP_FIRST_LINE)
        .plan(3, Plan.FIRST_LINE_IN_BOTH_FILES).plan(4, Plan.CANCEL_PARTIAL);
    BackendSpec b = backend("");
    BatchJobs.Outcome outcome = run(b, WAIT, SpendingLimit.none());
    assertFalse(outcome.pending());
    assertEquals(Map.of(), outcome.givenUp(), log.toString());
    ObjectNode counts = outcome.counts();
    assertEquals(5, counts.get("completed").asLong(), counts.toString());
    assertEquals(1, counts.get("expired").asLong(), counts.toString());
    assertEquals(1, counts.get("conflicting").asLong(), counts.toString());
    // Dropped from batch 2, and the second line of the cancelled resubmission batch.
    assertEquals(2, counts.get("missing").asLong(), counts.toString());
    assertEquals(counts.get("submitted").asLong(), api.linesSubmitted());
    assertEquals(counts.get("resubmitted").asLong(), api.linesSubmitted() - TEXTS.size());
    assertEquals(4, counts.get("resubmitted").asLong(), counts.toString());
    assertTrue(api.submissions().values().stream().allMatch(n -> n <= 3));

    // Each answer is the live client's answer for the same request, under the live key.
    BackendSpec live = BackendSpec.parse("name=b,url=" + engine.baseUrl()
        + ",model=m,k=2,seed=5,temperature=0.2");
    CacheKeyspace keyspace = BackendCaching.keyspace(live);
    try (OpenAiCompatibleClient client = OpenAiCompatibleClient.create(live.config())) {
      for (String text : TEXTS) {
        Completion c = client.translate(live.prompt().render(text), 2).get();
        Map<dev.tarjama.models.cache.CacheKey, CachedTranslation> expected =
            BackendCaching.entries(keyspace, BackendCaching.truncatedKeyspace(live), text, 2, c);
        assertEquals(expected, cache.getAll(expected.keySet()), text);
      }
    }

    // Run again: everything is in the cache, nothing is submitted.
    int before = api.batchesCreated();
    BatchJobs.Outcome again = run(b, WAIT, SpendingLimit.none());
    assertFalse(again.pending());
    assertEquals(before, api.batchesCreated());
  }

  @Test
  void seededCandidatesAreOneLineEachAndStoredAsTheLiveSeededCallsAnswer() throws Exception {
    BackendSpec b = BackendSpec.parse("name=b,kind=openai-batch,url=" + api.baseUrl()
        + ",model=m,k=3,candidates=seeds,seed=7,batch-lines=4");
    api.plan(1, Plan.DROP_FIRST_LINE);
    BatchJobs.Outcome outcome = run(b, WAIT, SpendingLimit.none());
    assertEquals(Map.of(), outcome.givenUp());
    assertEquals(3 * TEXTS.size(), outcome.counts().get("completed").asLong());
    assertEquals(3 * TEXTS.size() + 1, api.linesSubmitted());
    BackendSpec live = BackendSpec.parse("name=b,url=" + engine.baseUrl()
        + ",model=m,k=3,candidates=seeds,seed=7");
    CacheKeyspace keyspace = BackendCaching.keyspace(live);
    try (OpenAiCompatibleClient client = OpenAiCompatibleClient.create(live.config())) {
      for (String text : TEXTS) {
        Completion c = client.translate(live.prompt().render(text), 3).get();
        for (int i = 0; i < 3; i++) {
          assertEquals(
              dev.tarjama.transforms.backend.CompletionCandidates.keepEdgeWhitespace(
                  text, c.texts().get(i)),
              cache.get(keyspace.key(i, text)).orElseThrow().text(), text + " #" + i);
        }
      }
    }
  }

  @Test
  void linesThatNeverComeBackAreGivenUpAfterTheRetriesWithTheirReason() {
    for (int n = 1; n <= 12; n++) {
      api.plan(n, Plan.FAIL);
    }
    BackendSpec b = backend(",batch-retries=1");
    BatchJobs.Outcome outcome = run(b, WAIT, SpendingLimit.none());
    assertFalse(outcome.pending());
    assertEquals(TEXTS.size(), outcome.givenUp().size());
    String reason = outcome.givenUp().get(BatchSettings.textHash(TEXTS.get(0)));
    assertTrue(reason.contains("failed after 2 submission(s)"), reason);
    assertTrue(reason.contains("the batch failed validation"), reason);
    assertEquals(10, api.linesSubmitted());
    assertEquals(5, outcome.counts().get("given_up").asLong());
  }

  @Test
  void withoutWaitingTheLauncherLeavesAndAResumedRunCollectsWithoutSubmittingAgain() {
    BackendSpec b = backend("");
    BatchJobs.Outcome first =
        run(b, new BatchJobs.Settings(false, Duration.ofMillis(1)), SpendingLimit.none());
    assertTrue(first.pending());
    assertTrue(first.message().contains("--resume"), first.message());
    int submitted = api.linesSubmitted();
    assertEquals(TEXTS.size(), submitted);
    assertTrue(BatchJobs.hasUncollected(tmp.resolve("batches").resolve("b")));
    BatchJobs.Outcome second = run(b, WAIT, SpendingLimit.none());
    assertFalse(second.pending());
    assertEquals(submitted, api.linesSubmitted());
    assertEquals(5, second.counts().get("completed").asLong());
    assertFalse(BatchJobs.hasUncollected(tmp.resolve("batches").resolve("b")));
  }

  @Test
  void aBatchIsCountedAtItsMostWhenSubmittedAndNotSubmittedOverTheLimit() {
    // max-tokens=100, k=2: a line can cost (prompt + 200 tokens) at 1 and 4 USD per 1M.
    BackendSpec b = backend(",max-tokens=100");
    BatchLines.Request one = BatchLines.requests(b, TEXTS.get(0)).get(0);
    long[] t = BatchJobs.maxTokens(b, one);
    assertEquals(200, t[1]);
    double perBatch = b.batch().costUsd(2 * t[0], 2 * t[1]);
    SpendingLimit limit = SpendingLimit.of(perBatch * 2.5, 0)
        .withLedgerFile(tmp.resolve("ledger.jsonl").toString());
    BatchJobs.Outcome outcome = run(b, WAIT, limit);
    assertEquals(2, api.batchesCreated());
    List<String> refused = new ArrayList<>(outcome.givenUp().values());
    assertEquals(1, refused.size());
    assertTrue(refused.get(0).contains("budget exhausted"), refused.get(0));
    SpendingLimit.Spent spent = SpendingLimit.readLedgerFile(tmp.resolve("ledger.jsonl"));
    assertTrue(spent.usd() >= 2 * perBatch * 0.99 && spent.usd() <= perBatch * 2.5,
        spent.toString());
  }
}
