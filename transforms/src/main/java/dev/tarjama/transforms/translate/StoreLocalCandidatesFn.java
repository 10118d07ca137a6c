package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCacheException;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Stores a local backend's candidates of each chunk in the cache as they leave the model (one
 * write per chunk), and passes them on. A write that fails is counted ({@code cache_errors}):
 * the translation itself is good and goes on.
 */
final class StoreLocalCandidatesFn
    extends DoFn<List<ChunkTranslation>, List<ChunkTranslation>> {
  private final String cacheUri;
  private final CacheKeyspace keyspace;
  private final CacheKeyspace truncatedKeyspace;
  private final Counter errors;
  private transient TranslationCache cache;

  StoreLocalCandidatesFn(String cacheUri, BackendSpec backend) {
    this.cacheUri = cacheUri;
    this.keyspace = BackendCaching.keyspace(backend);
    this.truncatedKeyspace = BackendCaching.truncatedKeyspace(backend);
    this.errors = BackendMetrics.translation(backend.label()).counter("cache_errors");
  }

  @Setup
  public void setup() {
    cache = TranslationCaches.acquire(cacheUri);
  }

  @ProcessElement
  public void process(
      @Element List<ChunkTranslation> candidates, OutputReceiver<List<ChunkTranslation>> out) {
    try {
      cache.putAll(BackendCaching.entries(keyspace, truncatedKeyspace, candidates));
    } catch (TranslationCacheException e) {
      errors.inc();
    }
    out.output(candidates);
  }

  @Teardown
  public void teardown() {
    if (cache != null) {
      cache = null;
      TranslationCaches.release(cacheUri);
    }
  }
}
