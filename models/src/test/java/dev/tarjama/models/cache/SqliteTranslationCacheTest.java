package dev.tarjama.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTranslationCacheTest {
  static final CacheKeyspace KEYSPACE =
      CacheKeyspace.of("openai-chat", "gemma-3-27b", "Translate: {text}", Map.of("seed", "7"));

  /** The entry a writer stores for number {@code i}: Arabic text, counts that depend on i. */
  static CachedTranslation entry(int i) {
    return new CachedTranslation("ترجمة رقم " + i + " ⟦0⟧\n", 10 + i, 2L * i);
  }

  @Test
  void storesAndFindsTranslationsInBatches(@TempDir Path tmp) {
    Path file = tmp.resolve("sub/dir/translations.db");
    Map<CacheKey, CachedTranslation> entries = new HashMap<>();
    for (int i = 0; i < 1200; i++) {
      entries.put(KEYSPACE.key(0, "sentence " + i), entry(i));
    }
    try (SqliteTranslationCache cache = SqliteTranslationCache.open(file)) {
      cache.putAll(entries);
      List<CacheKey> asked = new ArrayList<>(entries.keySet());
      asked.add(KEYSPACE.key(1, "sentence 0")); // another candidate: not stored
      Map<CacheKey, CachedTranslation> found = cache.getAll(asked);
      assertEquals(entries, found);
      assertEquals(1200, cache.size());
      // Writing a key again keeps one entry.
      cache.put(KEYSPACE.key(0, "sentence 0"), entry(0));
      assertEquals(1200, cache.size());
      assertTrue(cache.get(KEYSPACE.key(1, "sentence 0")).isEmpty());
    }
    try (SqliteTranslationCache reopened = SqliteTranslationCache.open(file)) {
      assertEquals(entry(7), reopened.get(KEYSPACE.key(0, "sentence 7")).orElseThrow());
    }
  }

  @Test
  void threadsShareOneInstance(@TempDir Path tmp) throws Exception {
    try (SqliteTranslationCache cache = SqliteTranslationCache.open(tmp.resolve("t.db"))) {
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        int from = t * 250;
        threads[t] = new Thread(() -> {
          for (int i = from; i < from + 250; i++) {
            cache.put(KEYSPACE.key(0, "s" + i), entry(i));
            assertFalse(cache.get(KEYSPACE.key(0, "s" + i)).isEmpty());
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(1000, cache.size());
    }
  }

  @Test
  void everyCommittedWriteSurvivesKillMinus9OfTheWriter(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("translations.db");
    // A child JVM writes one entry per commit and says so after each; it is killed (SIGKILL, no
    // shutdown hook, no close) in the middle of writing.
    // Its output goes to a file: destroying a process closes our ends of its pipes.
    Path log = tmp.resolve("writer.out");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        SqliteCacheWriter.class.getName(), file.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectOutput(log.toFile());
    builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process writer = builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lastCommitted(log) < 300 && writer.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      writer.destroyForcibly(); // SIGKILL
      assertTrue(writer.waitFor(20, TimeUnit.SECONDS), "the writer did not die");
    } finally {
      writer.destroyForcibly();
    }
    int committed = lastCommitted(log);
    assertTrue(committed >= 300, "the writer committed only " + committed + " entries in 60 s");
    assertEquals(137, writer.exitValue(), "killed by SIGKILL");
    try (SqliteTranslationCache cache = SqliteTranslationCache.open(file)) {
      List<CacheKey> keys = new ArrayList<>();
      for (int i = 0; i <= committed; i++) {
        keys.add(KEYSPACE.key(0, "sentence " + i));
      }
      Map<CacheKey, CachedTranslation> found = cache.getAll(keys);
      assertEquals(committed + 1, found.size(), "a committed entry was lost");
      for (int i = 0; i <= committed; i++) {
        assertEquals(entry(i), found.get(keys.get(i)));
      }
    }
  }

  /** The last number the writer printed on a whole line (-1 before the first). */
  private static int lastCommitted(Path log) throws java.io.IOException {
    String text = java.nio.file.Files.readString(log, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return -1;
    }
    int start = text.lastIndexOf('\n', end - 1) + 1;
    return Integer.parseInt(text.substring(start, end).strip());
  }
}
