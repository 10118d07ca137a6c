package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.CompatibleLookup;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCacheException;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.DisplayValues;
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
import org.joda.time.Instant;

/**
 * Looks inputs up in the cache before they go to a backend: an input whose n answers are all
 * stored becomes its outputs ({@link CachedAnswers#stored}), every other input goes on to be
 * asked ({@link #misses}).
 *
 * <p>Input: {@code PCollection<InputT>} (the global window of a batch pipeline). Lookups are
 * batched ({@value #LOOKUP_BATCH} inputs, one {@code getAll} each: one SQLite query, one Redis
 * {@code MGET}); the cache is opened once per worker JVM per URI in {@code @Setup} ({@link
 * TranslationCaches#acquire}).
 *
 * <p>Outputs: the answers' own ({@link CachedAnswers#output} and {@link
 * CachedAnswers#otherOutputs}), exactly what the backend gave when they were stored; {@link
 * #misses}, the inputs to ask. An input with only some answers stored (k was raised since) is a
 * miss: one request gives all n. Entries written by the previous release (cache key format
 * version 1) answer too while the backend's model identity is the one first seen with them
 * ({@link CompatibleLookup}); cut answers count as stored (see {@link
 * CachedAnswers#truncatedKeyspace}), and what becomes of them is the answers' choice.
 *
 * <p>Failures: a cache that cannot be opened fails the pipeline at {@code @Setup} (a
 * configuration error); a lookup that fails later makes its inputs misses and is counted ({@code
 * cache_errors}): the run goes on, paying for those calls. Metrics, namespace {@code tarjama},
 * under the answers' {@link BackendMetrics}: {@code cache_hits} and {@code cache_misses}
 * (inputs), {@code tokens_saved} (prompt + completion tokens the hits cost when they were made),
 * {@code cache_errors}.
 */
public final class CacheLookup<InputT, OutputT>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {
  static final int LOOKUP_BATCH = 200;

  private final CachedAnswers<InputT, OutputT> answers;
  private final String cacheUri;
  private final TupleTag<InputT> misses = new TupleTag<>();

  private CacheLookup(CachedAnswers<InputT, OutputT> answers, String cacheUri) {
    this.answers = answers;
    this.cacheUri = cacheUri;
  }

  /** Lookups of {@code answers} in the cache at {@code cacheUri}. */
  public static <InputT, OutputT> CacheLookup<InputT, OutputT> of(
      CachedAnswers<InputT, OutputT> answers, String cacheUri) {
    if (TranslationCaches.isNone(cacheUri)) {
      throw new IllegalArgumentException("a cache lookup needs a cache, not '" + cacheUri + "'");
    }
    TranslationCaches.validate(cacheUri);
    return new CacheLookup<>(answers, cacheUri);
  }

  /** The inputs to ask: nothing, or not all of their answers, stored. */
  public TupleTag<InputT> misses() {
    return misses;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("backend", answers.name()).withLabel("Backend"));
    builder.add(DisplayData.item("candidates", answers.n()).withLabel("Answers per request"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(cacheUri))
        .withLabel("Cache"));
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> inputs) {
    PCollectionTuple out =
        inputs.apply(
            "Look up",
            ParDo.of(new LookupFn<>(answers, cacheUri, misses))
                .withOutputTags(answers.output(), answers.otherOutputs().and(misses)));
    answers.setCoders(out, inputs.getCoder());
    out.get(misses).setCoder(inputs.getCoder());
    return out;
  }

  private record Pending<InputT>(InputT input, Instant timestamp, BoundedWindow window) {}

  static final class LookupFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
    private final CachedAnswers<InputT, OutputT> answers;
    private final String cacheUri;
    private final TupleTag<InputT> misses;
    private final Counter hits;
    private final Counter missed;
    private final Counter tokensSaved;
    private final Counter errors;

    private transient TranslationCache cache;
    private transient CompatibleLookup lookup;
    private transient List<Pending<InputT>> pending;

    LookupFn(CachedAnswers<InputT, OutputT> answers, String cacheUri, TupleTag<InputT> misses) {
      this.answers = answers;
      this.cacheUri = cacheUri;
      this.misses = misses;
      BackendMetrics metrics = answers.metrics();
      this.hits = metrics.counter("cache_hits");
      this.missed = metrics.counter("cache_misses");
      this.tokensSaved = metrics.counter("tokens_saved");
      this.errors = metrics.counter("cache_errors");
    }

    @Setup
    public void setup() {
      cache = TranslationCaches.acquire(cacheUri);
      lookup = CompatibleLookup.open(cache, answers.keyspace());
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(
        @Element InputT input,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      pending.add(new Pending<>(input, timestamp, window));
      if (pending.size() >= LOOKUP_BATCH) {
        // In the global window of a batch pipeline the element's window and timestamp are as good
        // as the buffered ones'.
        flush(new Sink<InputT>() {
          @Override
          public <T> void output(Pending<InputT> p, TupleTag<T> tag, T value) {
            out.get(tag).output(value);
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      flush(new Sink<InputT>() {
        @Override
        public <T> void output(Pending<InputT> p, TupleTag<T> tag, T value) {
          context.output(tag, value, p.timestamp(), p.window());
        }
      });
    }

    @Teardown
    public void teardown() {
      if (cache != null) {
        cache = null;
        TranslationCaches.release(cacheUri);
      }
    }

    /** Where a flush sends an output: the element's receiver, or the bundle's context. */
    private interface Sink<InputT> {
      <T> void output(Pending<InputT> p, TupleTag<T> tag, T value);
    }

    private void flush(Sink<InputT> sink) {
      if (pending.isEmpty()) {
        return;
      }
      int n = answers.n();
      List<List<CacheKey>> keys = new ArrayList<>(pending.size());
      List<List<CacheKey>> cutKeys = new ArrayList<>(pending.size());
      List<CompatibleLookup.Request> all = new ArrayList<>(pending.size() * n);
      List<CacheKey> allCut = new ArrayList<>(pending.size() * n);
      for (Pending<InputT> p : pending) {
        String text = answers.cacheText(p.input());
        keys.add(BackendCaching.keys(answers.keyspace(), text, n));
        for (int i = 0; i < n; i++) {
          all.add(new CompatibleLookup.Request(i, text));
        }
        List<CacheKey> cut = answers.truncatedKeyspace() == null ? null
            : BackendCaching.keys(answers.truncatedKeyspace(), text, n);
        cutKeys.add(cut);
        if (cut != null) {
          allCut.addAll(cut);
        }
      }
      Map<CacheKey, CachedTranslation> found;
      try {
        found = new HashMap<>(lookup.getAll(all));
        if (!allCut.isEmpty()) {
          found.putAll(cache.getAll(allCut));
        }
      } catch (TranslationCacheException e) {
        errors.inc();
        found = Map.of();
      }
      for (int c = 0; c < pending.size(); c++) {
        Pending<InputT> p = pending.get(c);
        BackendCaching.Stored stored = BackendCaching.stored(found, keys.get(c), cutKeys.get(c));
        if (stored == null) {
          missed.inc();
          sink.output(p, misses, p.input());
          continue;
        }
        hits.inc();
        for (CachedTranslation t : stored.candidates()) {
          tokensSaved.inc(t.tokens());
        }
        answers.stored(p.input(), stored, new CachedAnswers.Emitter() {
          @Override
          public <T> void output(TupleTag<T> tag, T value) {
            sink.output(p, tag, value);
          }
        });
      }
      pending.clear();
    }
  }
}
