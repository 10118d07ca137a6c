package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCacheException;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis translation cache against a real redis-server started here (Debian's package): the
 * store's semantics, and a cluster-style run where a second pipeline (another "worker") finds
 * every translation the first stored.
 */
class TranslateChunksRedisTest {
  @Test
  void storesFindsAndSharesTranslationsBetweenClients() throws Exception {
    CacheKeyspace keyspace =
        CacheKeyspace.of("openai-chat", "gemma-3-27b", "Translate: {text}", Map.of());
    try (RedisServer redis = RedisServer.start();
        TranslationCache writer = TranslationCaches.open(redis.uri(3));
        TranslationCache reader = TranslationCaches.open(redis.uri(3));
        TranslationCache otherDatabase = TranslationCaches.open(redis.uri(4))) {
      Map<CacheKey, CachedTranslation> entries = new HashMap<>();
      for (int i = 0; i < 700; i++) {
        entries.put(keyspace.key(i % 3, "sentence " + i),
            new CachedTranslation("جملة " + i + " ⟦0⟧ \uD83D\uDE00\n", i, 2L * i));
      }
      writer.putAll(entries);
      List<CacheKey> asked = new ArrayList<>(entries.keySet());
      asked.add(keyspace.key(0, "never stored"));
      assertEquals(entries, reader.getAll(asked));
      assertTrue(otherDatabase.getAll(entries.keySet()).isEmpty(), "databases are apart");
      assertTrue(reader.get(keyspace.key(0, "never stored")).isEmpty());
    }
  }

  @Test
  void aLostServerIsANamedErrorNotAHang() throws Exception {
    TranslationCache cache;
    String uri;
    try (RedisServer redis = RedisServer.start()) {
      uri = redis.uri(0);
      cache = TranslationCaches.open(uri);
    }
    try (cache) {
      TranslationCacheException e = assertThrows(TranslationCacheException.class,
          () -> cache.getAll(List.of(CacheKey.fromHex("00".repeat(32)))));
      assertTrue(e.getMessage().contains(uri), e.getMessage());
    }
  }

  @Test
  void aSecondWorkerFindsEveryTranslationTheFirstStored() throws Exception {
    List<Chunk> chunks = DataKitChunks.of(TranslateChunksCacheTest.THINK_TOOLS, 20);
    int distinct = DataKitChunks.distinctTexts(chunks);
    try (RedisServer redis = RedisServer.start();
        FakeOpenAiServer server = FakeOpenAiServer.start()) {
      TranslateChunks translate = TranslateChunks.with(TranslateChunksCacheTest.chat(server, 2))
          .withCache(redis.uri(0));
      TranslationRuns.Run first = TranslationRuns.run(chunks, translate);
      assertEquals(distinct, server.requestCount());
      TranslationRuns.Run second = TranslationRuns.run(chunks, translate);
      assertEquals(distinct, server.requestCount(), "the second run sent requests");
      assertEquals(TranslateChunksCacheTest.byCandidate(first.translations()),
          TranslateChunksCacheTest.byCandidate(second.translations()));
      // No grouping before the lookup: every chunk, duplicates too, is a hit.
      assertEquals(chunks.size(), second.counter("SFT_Gemma3_ranked", "cache_hits"));
    }
  }
}
