package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.TranslationCaches;
import java.io.Serializable;

/**
 * How a composite that calls a backend spreads and caches its calls: the cache its requests are
 * looked up in and their answers stored in ({@code sqlite:PATH}, {@code redis://HOST:PORT[/DB]},
 * or {@code none}, the default; see {@link TranslationCaches}), and the keys the elements are
 * spread over before the calls (0, the default: one random key per element; a runner that makes
 * one bundle per key, the DirectRunner, needs few keys to put many calls in one bundle).
 */
public record CallOptions(String cacheUri, int shuffleBuckets) implements Serializable {

  /** No cache, one random key per element. */
  public static CallOptions defaults() {
    return new CallOptions(TranslationCaches.NONE, 0);
  }

  /**
   * These options with the cache at {@code uri}.
   *
   * @throws IllegalArgumentException when the URI is not one of the cache forms
   */
  public CallOptions withCache(String uri) {
    TranslationCaches.validate(uri);
    return new CallOptions(
        TranslationCaches.isNone(uri) ? TranslationCaches.NONE : uri.strip(), shuffleBuckets);
  }

  /** These options with the elements spread over {@code buckets} keys (0: random keys). */
  public CallOptions withShuffleBuckets(int buckets) {
    if (buckets < 0) {
      throw new IllegalArgumentException("shuffle buckets must be 0 or more, not " + buckets);
    }
    return new CallOptions(cacheUri, buckets);
  }

  /** Whether there is a cache. */
  public boolean cached() {
    return !TranslationCaches.isNone(cacheUri);
  }
}
