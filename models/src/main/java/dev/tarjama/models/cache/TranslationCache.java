package dev.tarjama.models.cache;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A content-addressed store of translation candidates ({@link CacheKey} → {@link
 * CachedTranslation}), shared by every thread of a JVM (implementations are thread-safe) and, for
 * the stores that allow it, by several processes.
 *
 * <p>Every {@link #putAll} is durable when it returns as far as the store promises: the embedded
 * store ({@link SqliteTranslationCache}) survives the writing process being killed; Redis survives
 * what its own persistence settings make it survive. Writing a key twice keeps one value (the
 * values are translations of the same request, either is right).
 *
 * <p>Implementations: {@link SqliteTranslationCache} (one machine), {@link RedisTranslationCache}
 * (a cluster). {@link TranslationCaches} opens one from a URI.
 */
public interface TranslationCache extends AutoCloseable {

  /**
   * The stored translations of those {@code keys} that are stored; absent keys are absent from
   * the map.
   *
   * @throws TranslationCacheException when the store cannot be read
   */
  Map<CacheKey, CachedTranslation> getAll(Collection<CacheKey> keys);

  /**
   * Stores every entry, in one write where the store allows it.
   *
   * @throws TranslationCacheException when the store cannot be written
   */
  void putAll(Map<CacheKey, CachedTranslation> entries);

  /**
   * Removes the entries of {@code keys} (absent ones are ignored): for an answer found not good
   * after it was stored (a quality gate that can only judge it later), so that it never answers
   * from the cache again.
   *
   * @throws TranslationCacheException when the store cannot be written
   */
  void removeAll(Collection<CacheKey> keys);

  /** The stored translation of one key. */
  default Optional<CachedTranslation> get(CacheKey key) {
    return Optional.ofNullable(getAll(List.of(key)).get(key));
  }

  /** Stores one entry. */
  default void put(CacheKey key, CachedTranslation value) {
    putAll(Map.of(key, value));
  }

  /** What this store is, for messages and reports (never a password). */
  String describe();

  @Override
  void close();
}
