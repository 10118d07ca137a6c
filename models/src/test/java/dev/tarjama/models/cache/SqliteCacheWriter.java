package dev.tarjama.models.cache;

import java.nio.file.Path;

/**
 * A child process for {@link SqliteTranslationCacheTest}: writes entry i of the test's keyspace,
 * one commit each, and prints i after each commit, until it is killed.
 */
public final class SqliteCacheWriter {
  private SqliteCacheWriter() {}

  public static void main(String[] args) {
    SqliteTranslationCache cache = SqliteTranslationCache.open(Path.of(args[0]));
    for (int i = 0; ; i++) {
      cache.put(
          SqliteTranslationCacheTest.KEYSPACE.key(0, "sentence " + i),
          SqliteTranslationCacheTest.entry(i));
      System.out.println(i);
      System.out.flush();
    }
  }
}
