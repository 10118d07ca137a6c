package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.CompatibleLookup;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCacheException;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.report.LiveCounts;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Looks a backend's chunks up in the translation cache before they go to the backend: a chunk
 * whose k candidates are all stored becomes those k candidates, every other chunk goes on to be
 * translated.
 *
 * <p>Input: {@code PCollection<Chunk>} (the global window of a batch pipeline). Lookups are
 * batched ({@value #LOOKUP_BATCH} chunks, one {@code getAll} each: one SQLite query, one Redis
 * {@code MGET}); the cache is opened once per worker JVM per URI in {@code @Setup} ({@link
 * TranslationCaches#acquire}).
 *
 * <p>Outputs: {@link #HITS}, k {@link ChunkTranslation}s per stored chunk, exactly what the
 * backend gave when it was stored; {@link #MISSES}, the chunks to translate. A chunk with only
 * some candidates stored (k was raised since) is a miss: one request gives all k.
 *
 * <p>Entries written by the previous release (cache key format version 1) answer too while the
 * backend's model identity is the one first seen with them ({@link CompatibleLookup}).
 *
 * <p>Truncated answers (an API backend's {@code finish_reason: length}, kept in {@link
 * BackendCaching#truncatedKeyspace}) count as stored but not as good. For a backend's first pass
 * ({@link #of}) a chunk with any truncated candidate goes to {@link #TRUNCATED}: it is known to be
 * cut, so it goes straight to its retry ({@code TruncationRetry}) without paying again. For the
 * retry ({@link #ofRetry}), and for a local backend (never retried), a truncated candidate is a
 * hit marked {@link ChunkTranslation#truncated()}.
 *
 * <p>Failures: a cache that cannot be opened fails the pipeline at {@code @Setup} (a
 * configuration error); a lookup that fails later makes its chunks misses and is counted ({@code
 * cache_errors}): the run goes on, paying for those calls. Metrics, namespace {@code tarjama},
 * per backend label: {@code cache_hits} and {@code cache_misses} (chunks), {@code tokens_saved}
 * (prompt + completion tokens the hits cost when they were made), {@code cache_errors}.
 */
public final class CacheLookup extends PTransform<PCollection<Chunk>, PCollectionTuple> {
  /** Candidates found in the cache. */
  public static final TupleTag<ChunkTranslation> HITS = new TupleTag<>() {};

  /** Chunks to send to the backend. */
  public static final TupleTag<Chunk> MISSES = new TupleTag<>() {};

  /** Chunks whose stored answer is truncated: they go to the truncation retry. */
  public static final TupleTag<Chunk> TRUNCATED = new TupleTag<>() {};

  static final int LOOKUP_BATCH = 200;

  /**
   * What one backend's lookups need: its keyspaces, label and k, and whether a chunk with a
   * truncated answer goes to {@link #TRUNCATED} (true) or is a marked hit (false).
   */
  record Target(
      String cacheUri,
      CacheKeyspace keyspace,
      CacheKeyspace truncated,
      String label,
      int k,
      boolean routeTruncated) implements Serializable {}

  private final Target target;

  private CacheLookup(Target target) {
    this.target = target;
  }

  /** Lookups of {@code backend}'s candidates in the cache at {@code cacheUri}. */
  public static CacheLookup of(BackendSpec backend, String cacheUri) {
    return of(backend, cacheUri, true);
  }

  /**
   * Lookups for the truncation retry of a backend ({@code retry} = {@link
   * BackendSpec#forTruncationRetry()}): a truncated answer is a hit marked truncated.
   */
  public static CacheLookup ofRetry(BackendSpec retry, String cacheUri) {
    return of(retry, cacheUri, false);
  }

  private static CacheLookup of(BackendSpec backend, String cacheUri, boolean route) {
    if (TranslationCaches.isNone(cacheUri)) {
      throw new IllegalArgumentException("a cache lookup needs a cache, not '" + cacheUri + "'");
    }
    TranslationCaches.validate(cacheUri);
    // A local model is not retried (its length limit follows the source), nor is a batch
    // backend (its answers come from the batch phase only): a marked hit.
    return new CacheLookup(new Target(
        cacheUri, BackendCaching.keyspace(backend), BackendCaching.truncatedKeyspace(backend),
        backend.label(), backend.k(), route && !backend.isLocal() && !backend.isBatch()));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("backend", target.label()).withLabel("Backend (label)"));
    builder.add(DisplayData.item("candidates", target.k()).withLabel("Candidates per chunk"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(target.cacheUri()))
        .withLabel("Cache"));
  }

  @Override
  public PCollectionTuple expand(PCollection<Chunk> chunks) {
    PCollectionTuple out =
        chunks.apply(
            "Look up",
            ParDo.of(new LookupFn(target))
                .withOutputTags(HITS, TupleTagList.of(MISSES).and(TRUNCATED)));
    out.get(HITS).setCoder(new ModelCoders.ChunkTranslationCoder());
    out.get(MISSES).setCoder(chunks.getCoder());
    out.get(TRUNCATED).setCoder(chunks.getCoder());
    return out;
  }

  private record Pending(Chunk chunk, Instant timestamp, BoundedWindow window) {}

  /** Where a flush sends its outputs: the element's receiver, or the bundle's context. */
  private interface Sink {
    void hit(ChunkTranslation t, Pending p);

    void miss(Pending p);

    void truncated(Pending p);
  }

  static final class LookupFn extends DoFn<Chunk, ChunkTranslation> {
    private final Target target;
    private final Counter hits;
    private final Counter misses;
    private final Counter tokensSaved;
    private final Counter errors;

    private transient TranslationCache cache;
    private transient CompatibleLookup lookup;
    private transient List<Pending> pending;

    LookupFn(Target target) {
      this.target = target;
      BackendMetrics metrics = BackendMetrics.translation(target.label());
      this.hits = metrics.counter("cache_hits");
      this.misses = metrics.counter("cache_misses");
      this.tokensSaved = metrics.counter("tokens_saved");
      this.errors = metrics.counter("cache_errors");
    }

    @Setup
    public void setup() {
      cache = TranslationCaches.acquire(target.cacheUri());
      lookup = CompatibleLookup.open(cache, target.keyspace());
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(
        @Element Chunk chunk,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      pending.add(new Pending(chunk, timestamp, window));
      if (pending.size() >= LOOKUP_BATCH) {
        // In the global window of a batch pipeline the element's window and timestamp are as good
        // as the buffered ones'.
        flush(new Sink() {
          @Override
          public void hit(ChunkTranslation t, Pending p) {
            out.get(HITS).output(t);
          }

          @Override
          public void miss(Pending p) {
            out.get(MISSES).output(p.chunk());
          }

          @Override
          public void truncated(Pending p) {
            out.get(TRUNCATED).output(p.chunk());
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush(new Sink() {
        @Override
        public void hit(ChunkTranslation t, Pending p) {
          context.output(HITS, t, p.timestamp(), p.window());
        }

        @Override
        public void miss(Pending p) {
          context.output(MISSES, p.chunk(), p.timestamp(), p.window());
        }

        @Override
        public void truncated(Pending p) {
          context.output(TRUNCATED, p.chunk(), p.timestamp(), p.window());
        }
      });
    }

    @Teardown
    public void teardown() {
      if (cache != null) {
        cache = null;
        TranslationCaches.release(target.cacheUri());
      }
    }

    private void flush(Sink sink) {
      if (pending.isEmpty()) {
        return;
      }
      int k = target.k();
      List<List<CacheKey>> keys = new ArrayList<>(pending.size());
      List<List<CacheKey>> cutKeys = new ArrayList<>(pending.size());
      List<CompatibleLookup.Request> all = new ArrayList<>(pending.size() * k);
      List<CacheKey> allCut = new ArrayList<>(pending.size() * k);
      for (Pending p : pending) {
        keys.add(BackendCaching.keys(target.keyspace(), p.chunk().text(), k));
        for (int i = 0; i < k; i++) {
          all.add(new CompatibleLookup.Request(i, p.chunk().text()));
        }
        List<CacheKey> cut = BackendCaching.keys(target.truncated(), p.chunk().text(), k);
        cutKeys.add(cut);
        allCut.addAll(cut);
      }
      Map<CacheKey, CachedTranslation> found;
      try {
        found = new HashMap<>(lookup.getAll(all));
        found.putAll(cache.getAll(allCut));
      } catch (TranslationCacheException e) {
        errors.inc();
        found = Map.of();
      }
      for (int c = 0; c < pending.size(); c++) {
        Pending p = pending.get(c);
        BackendCaching.Stored stored = BackendCaching.stored(found, keys.get(c), cutKeys.get(c));
        if (stored == null) {
          misses.inc();
          sink.miss(p);
          continue;
        }
        hits.inc();
        for (CachedTranslation t : stored.candidates()) {
          tokensSaved.inc(t.tokens());
        }
        if (stored.anyCut() && target.routeTruncated()) {
          // Not done yet: the retry with more room counts it when it is answered.
          sink.truncated(p);
          continue;
        }
        LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
        for (ChunkTranslation t : stored.of(p.chunk(), target.label())) {
          sink.hit(t, p);
        }
      }
      pending.clear();
    }
  }
}
