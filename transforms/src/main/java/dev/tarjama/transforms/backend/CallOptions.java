package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.TranslationCaches;
import java.io.Serializable;

/**
 * How a composite that calls a backend spreads and caches its calls: the cache its requests are
 * looked up in and their answers stored in ({@code sqlite:PATH}, {@code redis://HOST:PORT[/DB]},
 * or {@code none}, the default; see {@link TranslationCaches}), and the keys the elements are
 * spread over before the calls (0, the default: one random key per element; a runner that makes
 * one bundle per key, the DirectRunner, needs few keys to put many calls in one bundle), or, with
 * {@link #onOneWorker}, none.
 */
public record CallOptions(String cacheUri, int shuffleBuckets, boolean spread)
    implements Serializable {

  /** No cache, one random key per element. */
  public static CallOptions defaults() {
    return new CallOptions(TranslationCaches.NONE, 0, true);
  }

  /**
   * These options with the cache at {@code uri}.
   *
   * @throws IllegalArgumentException when the URI is not one of the cache forms
   */
  public CallOptions withCache(String uri) {
    TranslationCaches.validate(uri);
    return new CallOptions(
        TranslationCaches.isNone(uri) ? TranslationCaches.NONE : uri.strip(), shuffleBuckets,
        spread);
  }

  /** These options with the elements spread over {@code buckets} keys (0: random keys). */
  public CallOptions withShuffleBuckets(int buckets) {
    if (buckets < 0) {
      throw new IllegalArgumentException("shuffle buckets must be 0 or more, not " + buckets);
    }
    return new CallOptions(cacheUri, buckets, spread);
  }

  /**
   * These options for a pipeline whose workers are one JVM (Flink embedded): the elements are not
   * spread before the calls. A backend's in-flight limit is per JVM, so spreading over the task
   * slots moves no call, and on Flink's batch engine a reshuffle is a sort: the first call would
   * wait until every element upstream had been made and sorted.
   */
  public CallOptions onOneWorker() {
    return new CallOptions(cacheUri, shuffleBuckets, false);
  }

  /** Whether there is a cache. */
  public boolean cached() {
    return !TranslationCaches.isNone(cacheUri);
  }
}
