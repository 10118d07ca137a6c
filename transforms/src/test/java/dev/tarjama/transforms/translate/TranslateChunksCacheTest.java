package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.cache.SqliteTranslationCache;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.backend.SharedCalls;
import dev.tarjama.transforms.inference.LetterMapTranslator;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.models.testing.FakeOpenAiServer.Fault;
import dev.tarjama.models.testing.FakeOpenAiServer.RecordedRequest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never paying twice, on real chunks of the data kit (SmolTalk2-shaped think_tools: 50 records
 * that share their system prompt and tool boilerplate) against real loopback servers: identical
 * chunks are sent once, a warm cache sends nothing and gives exactly what the calls gave, failures
 * are not cached, and a local model's candidates are cached too.
 */
class TranslateChunksCacheTest {
  static final String THINK_TOOLS = "instruct/smoltalk2_style/think_tools.jsonl";

  static BackendSpec chat(FakeOpenAiServer server, int k) {
    return BackendSpec.parse("name=gemma,kind=openai-chat,url=" + server.baseUrl()
        + ",model=gemma-3-27b,prompt=hala,k=" + k + ",label=SFT_Gemma3_ranked");
  }

  /** The text each request asked to translate (the prompt without its instruction). */
  static List<String> requestedTexts(FakeOpenAiServer server) {
    return server.requests().stream().map(TranslateChunksCacheTest::text).toList();
  }

  static String text(RecordedRequest r) {
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var messages = node.get("messages");
    String prompt = messages.get(messages.size() - 1).get("content").asText();
    return prompt.substring(TranslatorAnswers.HALA_PREFIX.length());
  }

  /** (record, chunk, backend, candidate) → the translation; fails on a duplicate. */
  static Map<String, ChunkTranslation> byCandidate(List<ChunkTranslation> translations) {
    Map<String, ChunkTranslation> out = new HashMap<>();
    for (ChunkTranslation t : translations) {
      ChunkTranslation before =
          out.put(t.recordId() + "#" + t.chunkIndex() + "/" + t.backend() + "/" + t.candidate(), t);
      assertEquals(null, before, "two translations of one candidate: " + t);
    }
    return out;
  }

  @Test
  void identicalChunksAreSentOnceAndEveryChunkGetsItsOwnCandidates() throws Exception {
    List<Chunk> chunks = DataKitChunks.of(THINK_TOOLS, 50);
    int distinct = DataKitChunks.distinctTexts(chunks);
    assertTrue(distinct < chunks.size() * 0.9,
        "think_tools repeats its system prompt: " + distinct + " of " + chunks.size());
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      TranslationRuns.Run run =
          TranslationRuns.run(chunks, TranslateChunks.with(chat(server, 2)));

      List<String> sent = requestedTexts(server);
      assertEquals(distinct, sent.size(), "one request per distinct text");
      assertEquals(distinct, new HashSet<>(sent).size(), "no text sent twice");
      assertTrue(run.failures().isEmpty(), run.failures().toString());
      assertEquals(chunks.size() - distinct, run.duplicates().size());

      Map<String, ChunkTranslation> got = byCandidate(run.translations());
      assertEquals(2 * chunks.size(), got.size());
      for (Chunk c : chunks) {
        for (int i = 0; i < 2; i++) {
          ChunkTranslation t = got.get(c.recordId() + "#" + c.chunkIndex() + "/SFT_Gemma3_ranked/" + i);
          assertEquals(c.text(), t.source());
          assertEquals(CompletionCandidates.keepEdgeWhitespace(
              c.text(), TranslatorAnswers.translate(c.text(), i)), t.text());
        }
      }
      assertEquals(2L * (chunks.size() - distinct),
          run.counter("SFT_Gemma3_ranked", "dedupe_copies"));
      assertTrue(run.counter("SFT_Gemma3_ranked", "dedupe_tokens_saved") > 0);
    }
  }

  /**
   * With a cache (the command's default) there is no grouping before the calls: identical chunks
   * in flight share one request, and those arriving later find the answer in the cache. Still
   * each distinct text is requested once per candidate, every chunk gets its own candidates, and
   * every chunk not sent is counted once, as a dedupe copy or a cache hit.
   */
  @Test
  void withACacheIdenticalChunksAreSentOnceWithoutGroupingFirst(@TempDir Path tmp)
      throws Exception {
    List<Chunk> chunks = new java.util.ArrayList<>(DataKitChunks.of(THINK_TOOLS, 50));
    // Identical chunks next to each other as well, so that some are in flight together.
    chunks.addAll(DataKitChunks.of(THINK_TOOLS, 50).stream()
        .map(c -> new Chunk(c.recordId() + "-again", c.split(), c.chunkIndex(), c.fieldIndex(), c.text(),
            c.spans(), c.spanTypes(), c.tokens())).toList());
    int distinct = DataKitChunks.distinctTexts(chunks);
    String cache = "sqlite:" + tmp.resolve("cache/translations.db");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      TranslateChunks translate =
          TranslateChunks.with(chat(server, 2)).withCache(cache).withShuffleBuckets(2);
      TranslationRuns.Run run = TranslationRuns.run(chunks, translate);

      List<String> sent = requestedTexts(server);
      assertEquals(distinct, new HashSet<>(sent).size(), "every distinct text sent");
      assertEquals(distinct, sent.size(), "no text sent twice");
      assertTrue(run.failures().isEmpty(), run.failures().toString());
      assertEquals(chunks.size() - distinct, run.duplicates().size());
      Map<String, ChunkTranslation> got = byCandidate(run.translations());
      assertEquals(2 * chunks.size(), got.size());
      for (Chunk c : chunks) {
        for (int i = 0; i < 2; i++) {
          ChunkTranslation t = got.get(c.recordId() + "#" + c.chunkIndex() + "/SFT_Gemma3_ranked/" + i);
          assertEquals(c.text(), t.source());
          assertEquals(CompletionCandidates.keepEdgeWhitespace(
              c.text(), TranslatorAnswers.translate(c.text(), i)), t.text());
        }
      }
      long copies = run.counter("SFT_Gemma3_ranked", "dedupe_copies");
      long hits = run.counter("SFT_Gemma3_ranked", "cache_hits");
      assertEquals(chunks.size() - distinct, copies / 2 + hits,
          "each chunk not sent is a copy (" + copies + " candidates) or a hit (" + hits + ")");
      assertEquals(distinct, run.counter("SFT_Gemma3_ranked", "api_calls"));
      assertEquals(0, SharedCalls.inFlight().inFlight(), "nothing left in flight");
    }
  }

  @Test
  void aWarmCacheSendsNothingAndGivesExactlyWhatTheCallsGave(@TempDir Path tmp) throws Exception {
    List<Chunk> chunks = DataKitChunks.of(THINK_TOOLS, 50);
    int distinct = DataKitChunks.distinctTexts(chunks);
    String cache = "sqlite:" + tmp.resolve("cache/translations.db");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      TranslateChunks translate = TranslateChunks.with(chat(server, 2)).withCache(cache);
      TranslationRuns.Run cold = TranslationRuns.run(chunks, translate);
      assertEquals(distinct, server.requestCount());
      // Duplicates go through the lookup too (no grouping first): those answered by the time they
      // are looked up are hits.
      assertEquals(chunks.size(), cold.counter("SFT_Gemma3_ranked", "cache_hits")
          + cold.counter("SFT_Gemma3_ranked", "cache_misses"));
      try (SqliteTranslationCache store =
          SqliteTranslationCache.open(tmp.resolve("cache/translations.db"))) {
        // Every candidate, and the one record of which model identity the keyspace was first used
        // with (CompatibleLookup).
        assertEquals(2L * distinct + 1, store.size(), "every candidate stored");
      }

      TranslationRuns.Run warm = TranslationRuns.run(chunks, translate);
      assertEquals(distinct, server.requestCount(), "the warm run sent requests");
      assertEquals(byCandidate(cold.translations()), byCandidate(warm.translations()));
      assertEquals(chunks.size(), warm.counter("SFT_Gemma3_ranked", "cache_hits"));
      assertEquals(0, warm.counter("SFT_Gemma3_ranked", "cache_misses"));
      assertEquals(0, warm.counter("SFT_Gemma3_ranked", "api_calls"));
      // What the hits saved is what the cold run paid plus what its duplicates saved (usage
      // spread over candidates, summed back): no chunk counted twice, none left out.
      assertEquals(
          cold.counter("SFT_Gemma3_ranked", "tokens_in")
              + cold.counter("SFT_Gemma3_ranked", "tokens_out")
              + cold.counter("SFT_Gemma3_ranked", "tokens_saved")
              + cold.counter("SFT_Gemma3_ranked", "dedupe_tokens_saved"),
          warm.counter("SFT_Gemma3_ranked", "tokens_saved"));
      assertEquals(0, warm.counter("SFT_Gemma3_ranked", "cache_errors"));
    }
  }

  @Test
  void failuresAreNotCachedAndAreSentAgain(@TempDir Path tmp) throws Exception {
    List<Chunk> chunks = DataKitChunks.of(THINK_TOOLS, 10);
    Chunk unlucky = chunks.stream()
        .filter(c -> chunks.stream().filter(o -> o.text().equals(c.text())).count() == 1)
        .filter(c -> c.text().length() > 60)
        .findFirst().orElseThrow();
    String fragment = unlucky.text().substring(10, 50);
    String cache = "sqlite:" + tmp.resolve("translations.db");
    // A permanent error (400) for that chunk's first request only.
    try (FakeOpenAiServer server = FakeOpenAiServer.builder()
        .faultWhenPromptContains(fragment, 1, Fault.status(400)).start()) {
      TranslateChunks translate = TranslateChunks.with(chat(server, 1)).withCache(cache);
      TranslationRuns.Run cold = TranslationRuns.run(chunks, translate);
      assertEquals(Set.of(unlucky.text()),
          new HashSet<>(cold.failures().stream().map(f -> f.source()).toList()));
      int coldRequests = server.requestCount();

      TranslationRuns.Run warm = TranslationRuns.run(chunks, translate);
      List<String> again = requestedTexts(server).subList(coldRequests, server.requestCount());
      assertEquals(List.of(unlucky.text()), again, "only the failed chunk is sent again");
      assertTrue(warm.failures().isEmpty(), warm.failures().toString());
      assertEquals(chunks.size(), byCandidate(warm.translations()).size());
    }
  }

  @Test
  void aLocalModelsCandidatesAreCachedAsTheyLeaveTheModel(@TempDir Path tmp) throws Exception {
    List<Chunk> chunks = DataKitChunks.of(THINK_TOOLS, 12);
    String model = "letters-" + System.nanoTime();
    BackendSpec local = BackendSpec.parse("name=tiny,kind=local,path=" + model
        + ",decoding=sample,k=2,seed=3,batch-size=8,label=SFT_tiny_ranked");
    TranslateChunks translate = TranslateChunks.with(local)
        .withTranslatorFactory(new LetterMapTranslator.Factory("no-such-word-here"))
        .withCache("sqlite:" + tmp.resolve("translations.db"));

    TranslationRuns.Run cold = TranslationRuns.run(chunks, translate);
    int batches = LetterMapTranslator.batches(model).size();
    assertTrue(batches > 0);
    TranslationRuns.Run warm = TranslationRuns.run(chunks, translate);
    assertEquals(batches, LetterMapTranslator.batches(model).size(), "the model ran again");
    assertEquals(byCandidate(cold.translations()), byCandidate(warm.translations()));
    assertEquals(2 * chunks.size(), warm.translations().size());
    assertEquals(DataKitChunks.distinctTexts(chunks),
        warm.counter("SFT_tiny_ranked", "cache_hits"));
    assertEquals(0, warm.counter("SFT_tiny_ranked", "tokens_in"), "no model tokens");
  }
}
