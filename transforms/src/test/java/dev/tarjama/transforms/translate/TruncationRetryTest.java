package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.cache.SqliteTranslationCache;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finish_reason: length} against a real loopback server that cuts answers at {@code
 * max_tokens} words: a cut answer is never a translation nor a cached good answer, the chunk is
 * asked once more with twice the room, a chunk still cut after that is kept but marked, and a
 * rerun over the same cache sends nothing.
 */
class TruncationRetryTest {
  private static final String LABEL = "SFT_Gemma3_ranked";

  /** Fits in 5 words; fits in 10 after one retry; does not fit in 10. */
  private static final String SHORT = "One two three.";
  private static final String MEDIUM = "One two three four five six seven eight.";
  private static final String LONG =
      "One two three four five six seven eight nine ten eleven twelve thirteen fourteen.";

  private static List<Chunk> chunks() {
    List<Chunk> chunks = new ArrayList<>();
    String[] texts = {SHORT, MEDIUM, LONG};
    for (int i = 0; i < texts.length; i++) {
      chunks.add(new Chunk("r" + i, "s", 0, 0, texts[i], List.of(), List.of(), 10));
    }
    return chunks;
  }

  private static BackendSpec backend(FakeOpenAiServer server) {
    return BackendSpec.parse("name=gemma,url=" + server.baseUrl()
        + ",model=gemma-3-27b,prompt=hala,k=2,max-tokens=5,label=" + LABEL);
  }

  private static List<Integer> maxTokensSent(FakeOpenAiServer server) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (FakeOpenAiServer.RecordedRequest r : server.requests()) {
      out.add(new ObjectMapper().readTree(r.body()).path("max_tokens").asInt());
    }
    return out;
  }

  @Test
  void aCutAnswerIsRetriedOnceWithTwiceTheRoomAndMarkedWhenStillCut() throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.builder().lengthLimit(0).start()) {
      TranslationRuns.Run run =
          TranslationRuns.run(chunks(), TranslateChunks.with(backend(server)));

      assertTrue(run.failures().isEmpty(), run.failures().toString());
      Map<String, ChunkTranslation> got = TranslateChunksCacheTest.byCandidate(run.translations());
      assertEquals(6, got.size(), "k candidates per chunk, the cut first answers replaced");
      for (int i = 0; i < 2; i++) {
        ChunkTranslation shortOne = got.get("r0#0/" + LABEL + "/" + i);
        assertEquals(TranslatorAnswers.translate(SHORT, i), shortOne.text());
        assertFalse(shortOne.truncated());
        ChunkTranslation medium = got.get("r1#0/" + LABEL + "/" + i);
        assertEquals(TranslatorAnswers.translate(MEDIUM, i), medium.text(), "the retry's answer");
        assertFalse(medium.truncated());
        ChunkTranslation cut = got.get("r2#0/" + LABEL + "/" + i);
        assertTrue(cut.truncated(), cut.toString());
        assertEquals(10, cut.text().split(" ").length, "cut at the retry's 10 tokens");
      }
      // One request per chunk at 5, one retry at 10 for each of the two cut chunks.
      List<Integer> sent = maxTokensSent(server);
      assertEquals(5, sent.size(), sent.toString());
      assertEquals(3, sent.stream().filter(m -> m == 5).count(), sent.toString());
      assertEquals(2, sent.stream().filter(m -> m == 10).count(), sent.toString());
      assertEquals(4, run.counter(LABEL, "truncated"), "candidates cut at first");
      assertEquals(2, run.counter(LABEL, "truncation_retries"), "chunks retried");
      assertEquals(2, run.counter(LABEL, "truncated_after_retry"));
      assertEquals(5, run.counter(LABEL, "api_calls"), "the retry counts as the backend's");
    }
  }

  @Test
  void aCutAnswerIsNeverCachedAsGoodAndARerunSendsNothing(@TempDir Path tmp) throws Exception {
    Path db = tmp.resolve("translations.db");
    try (FakeOpenAiServer server = FakeOpenAiServer.builder().lengthLimit(0).start()) {
      BackendSpec backend = backend(server);
      TranslateChunks translate = TranslateChunks.with(backend).withCache("sqlite:" + db);
      TranslationRuns.Run cold = TranslationRuns.run(chunks(), translate);
      assertEquals(5, server.requestCount());

      try (SqliteTranslationCache store = SqliteTranslationCache.open(db)) {
        var good = BackendCaching.keyspace(backend);
        var cut = BackendCaching.truncatedKeyspace(backend);
        var retryGood = BackendCaching.keyspace(backend.forTruncationRetry());
        var retryCut = BackendCaching.truncatedKeyspace(backend.forTruncationRetry());
        assertTrue(store.get(good.key(0, SHORT)).isPresent());
        for (String text : List.of(MEDIUM, LONG)) {
          assertTrue(store.get(good.key(0, text)).isEmpty(), "a cut answer stored as good");
          assertTrue(store.get(cut.key(0, text)).isPresent(), "the cut answer is kept, marked");
        }
        assertTrue(store.get(retryGood.key(1, MEDIUM)).isPresent());
        assertTrue(store.get(retryGood.key(1, LONG)).isEmpty(), "cut again: not good");
        assertTrue(store.get(retryCut.key(1, LONG)).isPresent());
      }

      TranslationRuns.Run warm = TranslationRuns.run(chunks(), translate);
      assertEquals(5, server.requestCount(), "the rerun sent requests");
      assertEquals(
          TranslateChunksCacheTest.byCandidate(cold.translations()),
          TranslateChunksCacheTest.byCandidate(warm.translations()),
          "the same candidates, marks included");
      assertEquals(2, warm.counter(LABEL, "truncation_retries"));
      assertEquals(0, warm.counter(LABEL, "api_calls"));
    }
  }

  @Test
  void withoutMaxTokensTheRetryAsksForTheFixedLargerLimit() throws Exception {
    // The server's own default (5) cuts; the backend set no max_tokens.
    try (FakeOpenAiServer server = FakeOpenAiServer.builder().lengthLimit(5).start()) {
      BackendSpec backend = BackendSpec.parse("name=gemma,url=" + server.baseUrl()
          + ",model=m,k=1,label=" + LABEL);
      assertEquals(BackendSpec.RETRY_MAX_TOKENS_UNSET, backend.retryMaxTokens());
      TranslationRuns.Run run = TranslationRuns.run(chunks(), TranslateChunks.with(backend));
      Map<String, ChunkTranslation> got = TranslateChunksCacheTest.byCandidate(run.translations());
      assertEquals(TranslatorAnswers.translate(LONG, 0), got.get("r2#0/" + LABEL + "/0").text());
      assertFalse(got.get("r2#0/" + LABEL + "/0").truncated());
      List<Integer> sent = maxTokensSent(server);
      assertEquals(List.of(0, 0, 0, 4096, 4096),
          sent.stream().sorted().toList(), "unset first, then the fixed retry limit");
    }
  }

  @Test
  void aLocalModelRunningIntoItsLengthLimitIsMarkedAndCachedAsCut(@TempDir Path tmp) {
    Path model = Path.of(System.getProperty("tarjama.testdata"), "models", "tiny-en-ar-a");
    BackendSpec local = BackendSpec.parse("name=tiny,kind=local,path=" + model
        + ",max-tokens=2,label=SFT_tiny_ranked");
    TranslateChunks translate =
        TranslateChunks.with(local).withCache("sqlite:" + tmp.resolve("translations.db"));
    TranslationRuns.Run cold = TranslationRuns.run(chunks(), translate);
    assertEquals(3, cold.translations().size());
    assertTrue(cold.translations().stream().allMatch(t -> t.truncated()), cold.translations().toString());
    assertEquals(3, cold.counter("SFT_tiny_ranked", "truncated"));
    TranslationRuns.Run warm = TranslationRuns.run(chunks(), translate);
    assertEquals(3, warm.counter("SFT_tiny_ranked", "cache_hits"));
    assertEquals(
        TranslateChunksCacheTest.byCandidate(cold.translations()),
        TranslateChunksCacheTest.byCandidate(warm.translations()),
        "the marks come back from the cache");
  }
}
