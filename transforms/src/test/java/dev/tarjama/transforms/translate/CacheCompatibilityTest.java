package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versioned cache keyspace: a cache written by the previous release (a fixture made by its
 * code, see {@code cache/README.md}) still answers when nothing that identifies the model
 * changed, and never once the model behind the same name, the user's {@code model-version=} or a
 * local model's weights changed; a truncated answer is never stored.
 */
class CacheCompatibilityTest {
  private static final String LABEL = "SFT_Gemma3_ranked";

  private static String fixtureCopy(Path dir) throws Exception {
    Path db = dir.resolve("translations.db");
    try (InputStream in = CacheCompatibilityTest.class.getResourceAsStream(
        "/cache/v1-think_tools-10.db")) {
      Files.copy(in, db);
    }
    return "sqlite:" + db;
  }

  private static TranslationRuns.Run run(
      List<Chunk> chunks, BackendSpec spec, String cache) {
    // As the command line does: the server's report on its model enters the keys.
    BackendSpec identified = BackendCaching.withServerIdentities(List.of(spec)).get(0);
    return TranslationRuns.run(chunks, TranslateChunks.with(identified).withCache(cache));
  }

  @Test
  void aCacheOfThePreviousReleaseAnswersWithoutARequest(@TempDir Path dir) throws Exception {
    List<Chunk> chunks = DataKitChunks.of(TranslateChunksCacheTest.THINK_TOOLS, 10);
    String cache = fixtureCopy(dir);
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      TranslationRuns.Run warm = run(chunks, TranslateChunksCacheTest.chat(server, 2), cache);
      assertEquals(0, server.requestCount(), "paid twice after the upgrade");
      assertTrue(warm.failures().isEmpty(), warm.failures().toString());
      Map<String, ChunkTranslation> got = TranslateChunksCacheTest.byCandidate(warm.translations());
      assertEquals(2 * chunks.size(), got.size());
      for (Chunk c : chunks) {
        for (int i = 0; i < 2; i++) {
          assertEquals(
              CompletionCandidates.keepEdgeWhitespace(c.text(), TranslatorAnswers.translate(c.text(), i)),
              got.get(c.recordId() + "#" + c.chunkIndex() + "/" + LABEL + "/" + i).text());
        }
      }
    }
  }

  @Test
  void anotherModelUnderTheSameNameIsAskedAgain(@TempDir Path dir) throws Exception {
    List<Chunk> chunks = DataKitChunks.of(TranslateChunksCacheTest.THINK_TOOLS, 10);
    int distinct = DataKitChunks.distinctTexts(chunks);
    String cache = fixtureCopy(dir);
    try (FakeOpenAiServer v1 =
            FakeOpenAiServer.builder().reportsModel("gemma-3-27b", "/models/gemma-v1").start();
        FakeOpenAiServer v2 =
            FakeOpenAiServer.builder().reportsModel("gemma-3-27b", "/models/gemma-v2").start()) {
      // The first identity seen after the upgrade is the one the old entries stand for.
      run(chunks, TranslateChunksCacheTest.chat(v1, 2), cache);
      assertEquals(0, v1.requestCount());
      // The same name now serves other weights: nothing is answered from the old entries.
      TranslationRuns.Run changed = run(chunks, TranslateChunksCacheTest.chat(v2, 2), cache);
      assertEquals(distinct, v2.requestCount());
      // Every distinct text went to v2; a repeat of one may then be answered by the cache, but
      // only from v2's own answer of this run (stored on arrival), so at most the repeats hit.
      long hits = changed.counter(LABEL, "cache_hits");
      assertTrue(hits <= chunks.size() - distinct, hits + " cache hits");
      // Back to the first weights: still answered (copied to the new keys on first use).
      run(chunks, TranslateChunksCacheTest.chat(v1, 2), cache);
      assertEquals(0, v1.requestCount());
      // A model-version= given by the user is another model too.
      BackendSpec versioned = BackendSpec.parse("name=gemma,kind=openai-chat,url=" + v1.baseUrl()
          + ",model=gemma-3-27b,prompt=hala,k=2,label=" + LABEL + ",model-version=2026-12");
      run(chunks, versioned, cache);
      assertEquals(distinct, v1.requestCount());
    }
  }

  @Test
  void newWeightsInTheSameDirectoryChangeTheKeys(@TempDir Path dir) throws Exception {
    Path model = Files.createDirectories(dir.resolve("tiny"));
    Files.writeString(model.resolve("model.onnx"), "weights one");
    BackendSpec local = BackendSpec.parse("name=tiny,kind=local,path=" + model);
    CacheKeyspace before = BackendCaching.keyspace(local);
    assertEquals(before.key(0, "Hello."), BackendCaching.keyspace(local).key(0, "Hello."));
    Files.writeString(model.resolve("model.onnx"), "weights two!");
    CacheKeyspace after = BackendCaching.keyspace(local);
    assertNotEquals(before.key(0, "Hello."), after.key(0, "Hello."));
    // Both stand for the same previous-release keys: the attestation tells them apart.
    assertEquals(before.legacyKey(0, "Hello."), after.legacyKey(0, "Hello."));
  }

  @Test
  void aTruncatedAnswerIsNeverStoredAsGood() throws Exception {
    List<Chunk> chunks = DataKitChunks.of(TranslateChunksCacheTest.THINK_TOOLS, 1);
    Chunk chunk = chunks.get(0);
    CacheKeyspace keyspace = CacheKeyspace.of("openai-chat", "m", "{text}", Map.of());
    CacheKeyspace truncated =
        CacheKeyspace.of("openai-chat", "m", "{text}", Map.of("finish_reason", "length"));
    Completion cut = new Completion(List.of("a", "b"), List.of("stop", "length"), 4, 2, false, 1, 1);
    var entries = BackendCaching.entries(keyspace, truncated, chunk.text(), 2, cut);
    // The cut candidate lands only where no lookup of a good answer reads.
    assertTrue(entries.containsKey(keyspace.key(0, chunk.text())));
    assertFalse(entries.containsKey(keyspace.key(1, chunk.text())));
    assertTrue(entries.containsKey(truncated.key(1, chunk.text())));
    Completion whole = new Completion(List.of("a", "b"), List.of("stop", "stop"), 4, 2, false, 1, 1);
    assertEquals(Set.of(keyspace.key(0, chunk.text()), keyspace.key(1, chunk.text())),
        BackendCaching.entries(keyspace, truncated, chunk.text(), 2, whole).keySet());
  }
}
