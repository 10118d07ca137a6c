package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCacheException;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SharedClients;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.translate.Translator;
import dev.tarjama.transforms.inference.RunInference;
import dev.tarjama.transforms.model.Chunk;
import dev.tarjama.transforms.model.ChunkTranslation;
import dev.tarjama.transforms.model.ModelCoders;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Translates every chunk with every configured backend: k candidates per chunk per backend.
 *
 * <p>Input: {@code PCollection<Chunk>} in the global window (a batch pipeline). The chunks are
 * reshuffled first, so that the slow part (the calls) spreads over all workers whatever the
 * upstream fusion, then each backend gets its own branch. A branch's DoFn shares one HTTP client
 * per backend configuration per JVM ({@link SharedClients}, built in {@code @Setup}, API key read
 * from its environment variable there) and does not wait per element: it keeps up to the
 * backend's {@code concurrency} requests in flight within a bundle and emits results as they
 * complete, the rest in {@code @FinishBundle}.
 *
 * <p>A {@link BackendSpec#isLocal() local} backend's branch is a {@link RunInference} with a {@link
 * TranslatorModelHandler}: chunks batched by token weight and length (the spec's {@code
 * batch-size}, {@code batch-tokens}, {@code buffering}, {@code shards}), the model loaded once per
 * worker JVM (opened by the {@link #withTranslatorFactory factory}, by default by the directory's
 * layout), placeholders never shown to the model (the prose between them is translated, they are
 * put back in order), token counts from the model's tokenizer. A chunk the model fails on, alone,
 * becomes k failures whose error names the backend, the record, the chunk and the exception. Its
 * metrics: {@code tokens_in}, {@code tokens_out}, {@code failures}, {@code batches}, {@code
 * batch_retries}, {@code tokens} (chunk tokens batched), distributions {@code batch_size}, {@code
 * batch_tokens}, {@code batch_latency_ms}.
 *
 * <p>Never paying twice. With {@link #withCache a cache}, each branch first looks its chunks up
 * ({@link CacheLookup}: a chunk whose k candidates are stored is not sent) and stores every
 * completed translation at once: an API branch in the request's completion callback, before the
 * result is even emitted, so that a killed worker loses only the requests in flight; a local
 * branch as each batch's results leave the model. Failures are never stored. Keys: {@link
 * BackendCaching}. With deduplication (the default), identical chunks are translated once per
 * backend and candidate: with a cache, an API branch sends no request while an identical one is in
 * flight in this JVM or already answered in the cache ({@link SharedTranslations}), so its first
 * requests wait for no grouping of the input; local branches, and every branch without a cache,
 * translate one chunk per distinct text and copy its translations to every chunk with that text
 * ({@link DeduplicateChunks}).
 *
 * <p>Outputs (a {@link PCollectionTuple}, every branch flattened):
 *
 * <ul>
 *   <li>{@link #TRANSLATIONS}: k {@link ChunkTranslation}s per chunk and backend, candidate
 *       indexes 0…k-1, {@code backend} = the spec's {@link BackendSpec#label() label}. Text is
 *       the server's, placeholders ⟦n⟧ untouched (validation is reassembly's job), except that
 *       surrounding whitespace is made the source chunk's ({@link #keepEdgeWhitespace}). Token
 *       usage is spread over the k candidates so that their sums equal what the server reported
 *       (or estimated, when it reported none).
 *   <li>{@link #FAILURES}: when a backend's request failed for good (a permanent 4xx, or every
 *       retry used up), k {@link ChunkTranslation#failure failures} for that chunk and backend,
 *       with the chunk's source text and an error that names the backend, the model, the HTTP
 *       status or timeout and an excerpt of the response, never the API key.
 *   <li>{@link #DUPLICATES}: the chunks that were not sent because an identical chunk was (empty
 *       without deduplication), for the run's duplicate share.
 * </ul>
 *
 * <p>With a {@link #withSpendingLimit spending limit} ({@code --max-cost}, {@code --max-tokens})
 * an API branch sends a chunk only while the run's spending in this worker JVM, plus what the
 * requests in flight are expected to cost, is under the limit; from the first chunk refused on,
 * no chunk of any backend is sent, and each one becomes k {@link #FAILURES failures} whose error
 * says {@code budget exhausted (…)}, so the run ends normally with those records as dead letters.
 * Local backends cost nothing here and are not stopped.
 *
 * <p>Fails the pipeline (configuration errors, not data errors): an unset API key variable (at
 * {@code @Setup}), a non-global window (API backends), a local model that cannot be loaded (at
 * {@code @Setup}; the error names the model directory or file). Metrics, namespace {@code tarjama}, per backend label
 * ({@link #metricName}): {@code api_calls} (HTTP attempts), {@code retries}, {@code tokens_in},
 * {@code tokens_out}, {@code tokens_estimated} (tokens counted without server usage), {@code
 * failures} (chunks whose request failed), {@code truncated} (candidates cut by max tokens; their
 * chunk is retried once by {@link TruncationRetry}, which counts {@code truncation_retries} and
 * {@code truncated_after_retry}), {@code
 * budget_refused} (chunks not sent because the spending limit was reached), and the distribution
 * {@code latency_ms} (per chunk, retries included).
 */
public final class TranslateChunks extends PTransform<PCollection<Chunk>, PCollectionTuple> {

  /** Candidates the backends returned. */
  public static final TupleTag<ChunkTranslation> TRANSLATIONS = new TupleTag<>() {};

  /** Candidates that could not be had: k per failed (chunk, backend). */
  public static final TupleTag<ChunkTranslation> FAILURES = new TupleTag<>() {};

  /** Chunks not sent because an identical chunk was; their translations are copies. */
  public static final TupleTag<Chunk> DUPLICATES = new TupleTag<>() {};

  public static final String METRICS_NAMESPACE = "tarjama";

  private final List<BackendSpec> backends;
  private final int shuffleBuckets;
  private final TranslatorFactory translatorFactory;
  private final String cacheUri;
  private final boolean deduplicate;
  private final SpendingLimit spendingLimit;

  private TranslateChunks(
      List<BackendSpec> backends,
      int shuffleBuckets,
      TranslatorFactory translatorFactory,
      String cacheUri,
      boolean deduplicate,
      SpendingLimit spendingLimit) {
    this.backends = backends;
    this.shuffleBuckets = shuffleBuckets;
    this.translatorFactory = translatorFactory;
    this.cacheUri = cacheUri;
    this.deduplicate = deduplicate;
    this.spendingLimit = spendingLimit;
  }

  /**
   * Translation with these backends, one branch each. Names and labels must be unique (the label
   * keys candidates downstream).
   */
  public static TranslateChunks with(List<BackendSpec> backends) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("at least one backend is needed to translate");
    }
    Set<String> names = new HashSet<>();
    Set<String> labels = new HashSet<>();
    for (BackendSpec b : backends) {
      if (!names.add(b.name())) {
        throw new IllegalArgumentException("backend name '" + b.name() + "' is used twice");
      }
      if (!labels.add(b.label())) {
        throw new IllegalArgumentException("backend label '" + b.label() + "' is used twice");
      }
    }
    return new TranslateChunks(
        List.copyOf(backends),
        0,
        TranslatorFactory.models(),
        TranslationCaches.NONE,
        true,
        SpendingLimit.none());
  }

  /**
   * Spreads chunks over this many keys before the calls (0, the default: one random key per chunk,
   * as the runner likes it). A runner that makes one bundle per key (the DirectRunner) needs few
   * keys to put many chunks in one bundle, where the backend's concurrency limit can fill up.
   */
  public TranslateChunks withShuffleBuckets(int buckets) {
    if (buckets < 0) {
      throw new IllegalArgumentException("shuffle buckets must be 0 or more, not " + buckets);
    }
    return new TranslateChunks(
        backends, buckets, translatorFactory, cacheUri, deduplicate, spendingLimit);
  }

  public static TranslateChunks with(BackendSpec... backends) {
    return with(List.of(backends));
  }

  /**
   * Opens local backends' models with {@code factory} instead of by their directory layout ({@link
   * TranslatorFactory#models()}); for tests and embedders.
   */
  public TranslateChunks withTranslatorFactory(TranslatorFactory factory) {
    return new TranslateChunks(
        backends, shuffleBuckets, factory, cacheUri, deduplicate, spendingLimit);
  }

  /**
   * Looks chunks up in, and stores translations in, the cache at {@code uri} ({@code sqlite:PATH},
   * {@code redis://HOST:PORT[/DB]}, or {@code none}, the default); see {@link
   * dev.tarjama.models.cache.TranslationCaches}.
   *
   * @throws IllegalArgumentException when the URI is not one of those forms
   */
  public TranslateChunks withCache(String uri) {
    TranslationCaches.validate(uri);
    String value = TranslationCaches.isNone(uri) ? TranslationCaches.NONE : uri.strip();
    return new TranslateChunks(
        backends, shuffleBuckets, translatorFactory, value, deduplicate, spendingLimit);
  }

  /** Translates identical chunks once each ({@code true}, the default) or every chunk. */
  public TranslateChunks withDeduplication(boolean value) {
    return new TranslateChunks(
        backends, shuffleBuckets, translatorFactory, cacheUri, value, spendingLimit);
  }

  /**
   * Stops sending once {@code limit} is spent (per worker JVM; see {@link SpendingLimit}): chunks
   * not sent become failures whose error starts with "budget exhausted". Cache hits cost nothing
   * and are never refused.
   */
  public TranslateChunks withSpendingLimit(SpendingLimit limit) {
    return new TranslateChunks(
        backends,
        shuffleBuckets,
        translatorFactory,
        cacheUri,
        deduplicate,
        Objects.requireNonNull(limit));
  }

  /** The backends, in branch order. */
  public List<BackendSpec> backends() {
    return backends;
  }

  /** The name of a per-backend metric, e.g. {@code translate/SFT_Gemma3_ranked/api_calls}. */
  public static String metricName(String backendLabel, String metric) {
    return "translate/" + backendLabel + "/" + metric;
  }

  @Override
  public PCollectionTuple expand(PCollection<Chunk> input) {
    Coder<ChunkTranslation> coder = new ModelCoders.ChunkTranslationCoder();
    PCollection<Chunk> chunks = input;
    PCollectionTuple deduplicated = null;
    boolean cached = !TranslationCaches.isNone(cacheUri);
    // With a cache, API branches deduplicate as they call (SharedTranslations), so their first
    // requests wait for no grouping; the grouping still counts the duplicates and serves the
    // local branches (batched inference has no call to share) and runs without a cache.
    boolean share = deduplicate && cached;
    PCollection<Chunk> unique = input;
    if (deduplicate) {
      deduplicated = input.apply("Deduplicate chunks", DeduplicateChunks.create());
      unique = deduplicated.get(DeduplicateChunks.UNIQUE);
      chunks = share ? input : unique;
    }
    PTransform<PCollection<Chunk>, PCollection<Chunk>> reshuffle =
        shuffleBuckets > 0 ? new SpreadOverBuckets<>(shuffleBuckets) : Reshuffle.viaRandomKey();
    // API calls take the time: spread the chunks over all workers whatever the upstream fusion.
    // Local backends need no spreading of their own: RunInference's batching is a shuffle.
    PCollection<Chunk> spread =
        backends.stream().allMatch(BackendSpec::isLocal)
            ? chunks
            : chunks.apply("Spread chunks over workers", reshuffle);
    List<PCollection<ChunkTranslation>> translations = new ArrayList<>();
    List<PCollection<ChunkTranslation>> failures = new ArrayList<>();
    // The outputs of branches that translated every chunk themselves: no fan-out.
    List<PCollection<ChunkTranslation>> completeTranslations = new ArrayList<>();
    List<PCollection<ChunkTranslation>> completeFailures = new ArrayList<>();
    for (BackendSpec backend : backends) {
      boolean whole = share && !backend.isLocal();
      List<PCollection<ChunkTranslation>> ts = whole ? completeTranslations : translations;
      List<PCollection<ChunkTranslation>> fs = whole ? completeFailures : failures;
      PCollection<Chunk> toTranslate = backend.isLocal() ? unique : spread;
      PCollection<Chunk> lookupTruncated = null;
      if (cached) {
        PCollectionTuple lookup =
            toTranslate.apply(
                "Look up " + backend.name() + " in cache", CacheLookup.of(backend, cacheUri));
        ts.add(lookup.get(CacheLookup.HITS));
        toTranslate = lookup.get(CacheLookup.MISSES);
        lookupTruncated = lookup.get(CacheLookup.TRUNCATED);
      }
      if (backend.isBatch()) {
        // The launcher's batch phase put every answer it got into the cache: what is not there
        // fails with the phase's reason (BatchMisses).
        if (!cached) {
          throw new IllegalArgumentException(
              "backend " + backend.name() + " is a batch backend: it needs a cache");
        }
        fs.add(toTranslate.apply("Batch misses of " + backend.name(),
            ParDo.of(new BatchMisses(backend))).setCoder(coder));
        continue;
      }
      if (backend.isLocal()) {
        RunInference<Chunk, List<ChunkTranslation>, Translator> inference =
            RunInference.of(
                    new TranslatorModelHandler(
                        backend.name(), backend.label(), backend.local(), translatorFactory))
                .withShards(backend.local().shards())
                .withMetricPrefix(metricName(backend.label(), ""));
        PCollectionTuple branch =
            toTranslate.apply("Translate with " + backend.name(), inference);
        PCollection<List<ChunkTranslation>> results = branch.get(inference.resultsTag());
        if (cached) {
          results =
              results
                  .apply(
                      "Store " + backend.name() + " in cache",
                      ParDo.of(new StoreLocalCandidatesFn(cacheUri, backend)))
                  .setCoder(results.getCoder());
        }
        ts.add(
            results
                .apply(
                    "Candidates of " + backend.name(),
                    ParDo.of(new LocalCandidatesFn(backend.label())))
                .setCoder(coder));
        fs.add(
            branch
                .get(inference.failuresTag())
                .apply(
                    "Failures of " + backend.name(),
                    ParDo.of(new LocalFailuresFn(backend.label(), backend.k())))
                .setCoder(coder));
        continue;
      }
      PCollectionTuple branch =
          toTranslate.apply(
              "Translate with " + backend.name(),
              ParDo.of(new TranslateFn(backend, cacheUri, spendingLimit, true, share))
                  .withOutputTags(
                      TRANSLATIONS, TupleTagList.of(FAILURES).and(TruncationRetry.TO_RETRY)));
      ts.add(branch.get(TRANSLATIONS).setCoder(coder));
      fs.add(branch.get(FAILURES).setCoder(coder));
      PCollection<Chunk> cut = branch.get(TruncationRetry.TO_RETRY).setCoder(input.getCoder());
      if (cached) {
        cut =
            PCollectionList.of(cut)
                .and(lookupTruncated)
                .apply("Truncated " + backend.name() + " chunks", Flatten.pCollections());
      }
      PCollectionTuple retried =
          cut.apply(
              "Retry truncated " + backend.name() + " chunks",
              TruncationRetry.of(backend, cacheUri, spendingLimit, share));
      ts.add(retried.get(TRANSLATIONS));
      fs.add(retried.get(FAILURES));
    }
    if (translations.isEmpty()) {
      // Every branch shared its calls: nothing to copy to identical chunks.
      return PCollectionTuple.of(TRANSLATIONS, PCollectionList.of(completeTranslations)
              .apply("Flatten all translations", Flatten.pCollections()))
          .and(FAILURES, PCollectionList.of(completeFailures)
              .apply("Flatten all failures", Flatten.pCollections()))
          .and(DUPLICATES, deduplicated.get(DeduplicateChunks.DUPLICATES));
    }
    PCollection<ChunkTranslation> allTranslations =
        PCollectionList.of(translations).apply("Flatten translations", Flatten.pCollections());
    PCollection<ChunkTranslation> allFailures =
        PCollectionList.of(failures).apply("Flatten failures", Flatten.pCollections());
    if (deduplicated == null) {
      return PCollectionTuple.of(TRANSLATIONS, allTranslations)
          .and(FAILURES, allFailures)
          .and(DUPLICATES, input.getPipeline().apply("No duplicates",
              org.apache.beam.sdk.transforms.Create.empty(input.getCoder())));
    }
    // Every chunk of a shared text gets the representative's candidates, failures included.
    PCollectionTuple fannedOut =
        PCollectionList.of(allTranslations)
            .and(allFailures)
            .apply("Flatten for fan-out", Flatten.pCollections())
            .apply(
                "Copy to identical chunks",
                DeduplicateChunks.fanOut(deduplicated.get(DeduplicateChunks.MEMBERS)))
            .apply(
                "Split failures",
                ParDo.of(new SplitFailuresFn())
                    .withOutputTags(TRANSLATIONS, TupleTagList.of(FAILURES)));
    completeTranslations.add(fannedOut.get(TRANSLATIONS).setCoder(coder));
    completeFailures.add(fannedOut.get(FAILURES).setCoder(coder));
    return PCollectionTuple.of(TRANSLATIONS, PCollectionList.of(completeTranslations)
            .apply("Flatten all translations", Flatten.pCollections()))
        .and(FAILURES, PCollectionList.of(completeFailures)
            .apply("Flatten all failures", Flatten.pCollections()))
        .and(DUPLICATES, deduplicated.get(DeduplicateChunks.DUPLICATES));
  }

  /**
   * The translation with the source chunk's leading and trailing whitespace instead of its own:
   * chat models add or drop edge newlines and spaces at will, while the chunk plan puts the
   * chunk back between verbatim parts that expect the source's edges.
   */
  public static String keepEdgeWhitespace(String source, String translation) {
    int start = 0;
    while (start < source.length() && Character.isWhitespace(source.charAt(start))) {
      start++;
    }
    if (start == source.length()) {
      return source; // all whitespace: nothing to translate
    }
    int end = source.length();
    while (end > start && Character.isWhitespace(source.charAt(end - 1))) {
      end--;
    }
    return source.substring(0, start) + translation.strip() + source.substring(end);
  }

  /** Splits {@code total} into {@code weights.length} parts proportional to the weights, exactly. */
  static long[] apportion(long total, long[] weights) {
    long[] parts = new long[weights.length];
    long sum = 0;
    for (long w : weights) {
      sum += Math.max(w, 0);
    }
    long given = 0;
    for (int i = 0; i < weights.length; i++) {
      parts[i] =
          sum == 0 ? total / weights.length : (long) Math.floor((double) total * weights[i] / sum);
      given += parts[i];
    }
    // The remainder (rounding) goes to the first candidates, one each.
    for (int i = 0; given < total; i = (i + 1) % weights.length) {
      parts[i]++;
      given++;
    }
    return parts;
  }

  // ---------------------------------------------------------------------------------------------

  /** A local backend's k candidates per chunk, one by one, counted as the API branches count. */
  static final class LocalCandidatesFn extends DoFn<List<ChunkTranslation>, ChunkTranslation> {
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter truncated;

    LocalCandidatesFn(String label) {
      this.tokensIn = Metrics.counter(METRICS_NAMESPACE, metricName(label, "tokens_in"));
      this.tokensOut = Metrics.counter(METRICS_NAMESPACE, metricName(label, "tokens_out"));
      this.truncated = Metrics.counter(METRICS_NAMESPACE, metricName(label, "truncated"));
    }

    @ProcessElement
    public void process(
        @Element List<ChunkTranslation> candidates, OutputReceiver<ChunkTranslation> out) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
      for (ChunkTranslation t : candidates) {
        if (t.truncated) {
          truncated.inc();
        }
        tokensIn.inc(t.tokensIn);
        tokensOut.inc(t.tokensOut);
        LiveCounts.add(LiveCounts.TOKENS_OUT, t.tokensOut);
        out.output(t);
      }
    }
  }

  /** Translations and failures back on their own outputs after the fan-out. */
  static final class SplitFailuresFn extends DoFn<ChunkTranslation, ChunkTranslation> {
    @ProcessElement
    public void process(@Element ChunkTranslation t, MultiOutputReceiver out) {
      out.get(t.failed() ? FAILURES : TRANSLATIONS).output(t);
    }
  }

  /**
   * Stores a local backend's candidates of each chunk in the cache as they leave the model (one
   * write per chunk), and passes them on. A write that fails is counted ({@code cache_errors}):
   * the translation itself is good and goes on.
   */
  static final class StoreLocalCandidatesFn
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
      this.errors =
          Metrics.counter(METRICS_NAMESPACE, metricName(backend.label(), "cache_errors"));
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

  /** A chunk the local model failed on: k failures, the chunk's source kept, the error named. */
  static final class LocalFailuresFn extends DoFn<KV<Chunk, String>, ChunkTranslation> {
    private final String label;
    private final int k;

    LocalFailuresFn(String label, int k) {
      this.label = label;
      this.k = k;
    }

    @ProcessElement
    public void process(@Element KV<Chunk, String> failure, OutputReceiver<ChunkTranslation> out) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
      for (int i = 0; i < k; i++) {
        out.output(ChunkTranslation.failure(failure.getKey(), label, i, failure.getValue()));
      }
    }
  }


  /** A finished request: the chunk, and the completion or the error. */
  private record Done(
      Chunk chunk, Instant timestamp, Completion completion, Throwable error, long nanos,
      boolean copy, SharedTranslations.Answer answer) {}

  /** Where results go: the element's receiver, or the bundle's context in {@code @FinishBundle}. */
  private interface Sink {
    void translation(ChunkTranslation t, Instant timestamp);

    void failure(ChunkTranslation t, Instant timestamp);

    /** A chunk whose answer stopped at the length limit, for its retry. */
    void truncated(Chunk chunk, Instant timestamp);
  }

  static final class TranslateFn extends DoFn<Chunk, ChunkTranslation> {
    private final BackendSpec backend;
    private final BackendConfig config;
    private final PromptTemplate prompt;
    private final String label;
    private final int k;
    private final SpendingLimit spendingLimit;

    private final Counter apiCalls;
    private final Counter retries;
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter tokensEstimated;
    private final Counter failures;
    private final Counter truncated;
    private final Counter budgetRefused;
    private final Distribution latencyMs;
    private final String cacheUri;
    private final CacheKeyspace keyspace;
    private final CacheKeyspace truncatedKeyspace;
    private final Counter cacheErrors;
    /** First pass: a cut chunk goes to {@link TruncationRetry#TO_RETRY}; retry: it is marked. */
    private final boolean retryTruncated;
    /** Identical requests share one call ({@link SharedTranslations}; needs a cache). */
    private final boolean share;
    private final Counter dedupeCopies;
    private final Counter dedupeTokensSaved;

    private transient OpenAiCompatibleClient client;
    private transient TranslationCache cache;
    /** Cache writes that failed on a callback thread, where Beam counters do not count. */
    private transient AtomicLong failedCacheWrites;
    private transient SpendingLimit.Ledger ledger;
    private transient PendingCalls<Done> pending;
    /** Chunks waiting for an identical chunk's call: not counted against the concurrency. */
    private transient PendingCalls<Done> copies;
    private transient SharedTranslations shared;

    /**
     * Stores every completed translation in the cache at {@code cacheUri} (or none); sends only
     * within {@code spendingLimit}. With {@code retryTruncated} (a backend's first pass) a chunk
     * with a candidate cut at the length limit is sent to {@link TruncationRetry#TO_RETRY}
     * instead of emitted; without (the retry itself) such candidates are emitted {@link
     * ChunkTranslation#truncated marked}.
     */
    TranslateFn(
        BackendSpec backend, String cacheUri, SpendingLimit spendingLimit, boolean retryTruncated) {
      this(backend, cacheUri, spendingLimit, retryTruncated, false);
    }

    /** As above; with {@code share} (and a cache) identical requests are one call. */
    TranslateFn(
        BackendSpec backend,
        String cacheUri,
        SpendingLimit spendingLimit,
        boolean retryTruncated,
        boolean share) {
      this.share = share && !TranslationCaches.isNone(cacheUri);
      this.backend = backend;
      this.cacheUri = cacheUri;
      this.retryTruncated = retryTruncated;
      this.keyspace = BackendCaching.keyspace(backend);
      this.truncatedKeyspace = BackendCaching.truncatedKeyspace(backend);
      this.spendingLimit = spendingLimit;
      this.config = backend.config();
      this.prompt = backend.prompt();
      this.label = backend.label();
      this.k = backend.k();
      this.apiCalls = Metrics.counter(METRICS_NAMESPACE, metricName(label, "api_calls"));
      this.retries = Metrics.counter(METRICS_NAMESPACE, metricName(label, "retries"));
      this.tokensIn = Metrics.counter(METRICS_NAMESPACE, metricName(label, "tokens_in"));
      this.tokensOut = Metrics.counter(METRICS_NAMESPACE, metricName(label, "tokens_out"));
      this.tokensEstimated =
          Metrics.counter(METRICS_NAMESPACE, metricName(label, "tokens_estimated"));
      this.failures = Metrics.counter(METRICS_NAMESPACE, metricName(label, "failures"));
      this.truncated =
          Metrics.counter(
              METRICS_NAMESPACE,
              metricName(label, retryTruncated ? "truncated" : "truncated_after_retry"));
      this.budgetRefused =
          Metrics.counter(METRICS_NAMESPACE, metricName(label, "budget_refused"));
      this.latencyMs = Metrics.distribution(METRICS_NAMESPACE, metricName(label, "latency_ms"));
      this.cacheErrors = Metrics.counter(METRICS_NAMESPACE, metricName(label, "cache_errors"));
      this.dedupeCopies = Metrics.counter(METRICS_NAMESPACE, metricName(label, "dedupe_copies"));
      this.dedupeTokensSaved =
          Metrics.counter(METRICS_NAMESPACE, metricName(label, "dedupe_tokens_saved"));
    }

    @Setup
    public void setup() {
      client = SharedClients.acquire(config);
      failedCacheWrites = new AtomicLong();
      if (!TranslationCaches.isNone(cacheUri)) {
        cache = TranslationCaches.acquire(cacheUri);
      }
      ledger = spendingLimit.isCounted() ? spendingLimit.ledger() : null;
      if (share) {
        shared = new SharedTranslations(config, label, k, keyspace, truncatedKeyspace);
      }
    }

    /**
     * Stores a completion the moment it arrives (on the HTTP client's thread), so that a worker
     * killed later does not pay for it again. Never throws: the translation is good either way.
     */
    private void store(Chunk chunk, Completion completion) {
      if (cache == null) {
        return;
      }
      try {
        cache.putAll(BackendCaching.entries(keyspace, truncatedKeyspace, chunk, k, completion));
      } catch (RuntimeException e) {
        failedCacheWrites.incrementAndGet();
      }
    }

    @StartBundle
    public void startBundle() {
      pending = new PendingCalls<>();
      copies = new PendingCalls<>();
    }

    @ProcessElement
    public void process(
        @Element Chunk chunk,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out)
        throws InterruptedException {
      if (!(window instanceof GlobalWindow)) {
        throw new IllegalStateException(
            "TranslateChunks runs in the global window (a batch pipeline), got " + window);
      }
      Sink sink =
          new Sink() {
            // The element being processed sets the timestamp (always legal); in the global window
            // of a batch pipeline timestamps carry no meaning for these results.
            @Override
            public void translation(ChunkTranslation t, Instant timestamp) {
              out.get(TRANSLATIONS).output(t);
            }

            @Override
            public void failure(ChunkTranslation t, Instant timestamp) {
              out.get(FAILURES).output(t);
            }

            @Override
            public void truncated(Chunk chunk, Instant timestamp) {
              out.get(TruncationRetry.TO_RETRY).output(chunk);
            }
          };
      pending.makeRoom(backend.concurrency(), d -> emit(d, sink));
      copies.makeRoom(Integer.MAX_VALUE, d -> emit(d, sink));
      String request = prompt.render(chunk.text);
      SpendingLimit.Reservation reservation = null;
      if (ledger != null) {
        reservation = reserve(chunk, request);
        if (reservation == null) {
          budgetRefused.inc();
          LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
          String error = "backend " + backend.name() + ": " + ledger.exhaustion()
              + "; chunk not sent";
          for (int i = 0; i < k; i++) {
            sink.failure(ChunkTranslation.failure(chunk, label, i, error), timestamp);
          }
          return;
        }
      }
      long start = System.nanoTime();
      SpendingLimit.Reservation held = reservation;
      // Each attempt that came back with a usage is spent at once, on the HTTP client's thread
      // (the next chunk's check needs it), whatever becomes of this chunk or of this bundle.
      OpenAiCompatibleClient.AttemptUsage paid = held == null ? (in, out2) -> {}
          : (in, out2) -> held.paid(backend.costUsd(in, out2), in + out2);
      LiveCounts.inc(LiveCounts.REQUESTS_IN_FLIGHT);
      try {
        CompletableFuture<Completion> call;
        if (shared != null) {
          SharedTranslations.Call c =
              shared.translate(chunk, cache, () -> client.translate(request, k, paid), this::store);
          if (!c.paid()) {
            LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
            if (held != null) {
              held.release();
            }
            copies.add(c.answer(), (answer, error) -> {
              LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
              return new Done(chunk, timestamp, null, error, System.nanoTime() - start, true, answer);
            });
            return;
          }
          call = c.answer().thenApply(SharedTranslations.Answer::completion);
        } else {
          call = client.translate(request, k, paid);
        }
        pending.add(
            call,
                (completion, error) -> {
                  liveCounts(label, completion, error);
                  if (held != null) {
                    held.release();
                  }
                  if (error == null && shared == null) {
                    store(chunk, completion);
                  }
                  return new Done(
                      chunk, timestamp, completion, error, System.nanoTime() - start, false, null);
                });
      } catch (RuntimeException e) {
        LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
        if (held != null) {
          held.release();
        }
        throw e;
      }
    }

    /** The progress line's counts, the moment an answer arrives (on the client's thread). */
    private static void liveCounts(String label, Completion completion, Throwable error) {
      LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
      LiveCounts.inc(LiveCounts.REQUESTS_DONE);
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
      if (error != null) {
        LiveCounts.inc(LiveCounts.REQUESTS_FAILED);
      } else {
        LiveCounts.add(LiveCounts.TOKENS_OUT, completion.completionTokens());
        LiveCounts.add(LiveCounts.RETRIES, completion.retries());
        // Per backend, for the report's cost over time (prices are per backend).
        LiveCounts.add(LiveCounts.backendTokens(label, "in"), completion.promptTokens());
        LiveCounts.add(LiveCounts.backendTokens(label, "out"), completion.completionTokens());
      }
    }

    /**
     * Reserves what sending this chunk is expected to cost: the prompt per call, the chunk's own
     * tokens per candidate out (a translation is about as long as its source); null when the
     * budget is spent.
     */
    private SpendingLimit.Reservation reserve(Chunk chunk, String request) {
      long in = OpenAiCompatibleClient.estimateTokens(request) * backend.callsPerChunk();
      long out =
          Math.max(chunk.tokens, OpenAiCompatibleClient.estimateTokens(chunk.text)) * (long) k;
      return ledger.tryReserve(backend.costUsd(in, out), in + out);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws InterruptedException {
      Sink sink =
          new Sink() {
            @Override
            public void translation(ChunkTranslation t, Instant timestamp) {
              context.output(TRANSLATIONS, t, timestamp, GlobalWindow.INSTANCE);
            }

            @Override
            public void failure(ChunkTranslation t, Instant timestamp) {
              context.output(FAILURES, t, timestamp, GlobalWindow.INSTANCE);
            }

            @Override
            public void truncated(Chunk chunk, Instant timestamp) {
              context.output(TruncationRetry.TO_RETRY, chunk, timestamp, GlobalWindow.INSTANCE);
            }
          };
      pending.drain(d -> emit(d, sink));
      copies.drain(d -> emit(d, sink));
      cacheErrors.inc(failedCacheWrites.getAndSet(0));
    }

    @Teardown
    public void teardown() {
      if (client != null) {
        client = null;
        SharedClients.release(config);
      }
      if (cache != null) {
        cache = null;
        TranslationCaches.release(cacheUri);
      }
    }

    private void emit(Done d, Sink sink) {
      if (d.copy()) {
        emitCopy(d, sink);
        return;
      }
      latencyMs.update(d.nanos() / 1_000_000);
      Chunk chunk = d.chunk();
      if (d.error() != null) {
        PendingCalls.Failure failure = PendingCalls.Failure.of(d.error());
        apiCalls.inc(failure.attempts());
        retries.inc(Math.max(0, failure.attempts() - 1));
        failures.inc();
        String error = "backend " + backend.name() + ": " + failure.message();
        for (int i = 0; i < k; i++) {
          sink.failure(ChunkTranslation.failure(chunk, label, i, error), d.timestamp());
        }
        return;
      }
      Completion c = d.completion();
      apiCalls.inc(c.attempts());
      retries.inc(c.retries());
      tokensIn.inc(c.promptTokens());
      tokensOut.inc(c.completionTokens());
      if (c.usageEstimated()) {
        tokensEstimated.inc(c.promptTokens() + c.completionTokens());
      }
      long[] in = BackendCaching.promptTokensPerCandidate(c, k);
      long[] outTokens = BackendCaching.completionTokensPerCandidate(c, k);
      boolean anyCut = false;
      for (int i = 0; i < k; i++) {
        if (BackendCaching.isTruncated(c, i)) {
          truncated.inc();
          anyCut = true;
        }
      }
      if (anyCut && retryTruncated) {
        // A cut answer is not a translation: the whole chunk is asked again with more room.
        sink.truncated(chunk, d.timestamp());
        return;
      }
      for (int i = 0; i < k; i++) {
        String text = keepEdgeWhitespace(chunk.text, c.texts().get(i));
        sink.translation(
            BackendCaching.isTruncated(c, i)
                ? ChunkTranslation.truncated(chunk, label, i, text, in[i], outTokens[i])
                : ChunkTranslation.success(chunk, label, i, text, in[i], outTokens[i]),
            d.timestamp());
      }
    }

    /**
     * An identical chunk's answer given to this chunk: the same outputs as a call's, counted as
     * dedupe savings ({@code dedupe_copies} per candidate, {@code dedupe_tokens_saved}) and not
     * as calls, tokens, failures or truncations (the chunk that paid counts those).
     */
    private void emitCopy(Done d, Sink sink) {
      Chunk chunk = d.chunk();
      if (d.error() != null) {
        String error =
            "backend " + backend.name() + ": " + PendingCalls.Failure.of(d.error()).message();
        for (int i = 0; i < k; i++) {
          sink.failure(ChunkTranslation.failure(chunk, label, i, error), d.timestamp());
        }
        return;
      }
      List<ChunkTranslation> candidates = shared.candidates(chunk, d.answer());
      boolean anyCut = false;
      for (ChunkTranslation t : candidates) {
        anyCut |= t.truncated;
        dedupeTokensSaved.inc(t.tokensIn + t.tokensOut);
      }
      dedupeCopies.inc(k);
      if (anyCut && retryTruncated) {
        sink.truncated(chunk, d.timestamp());
        return;
      }
      candidates.forEach(t -> sink.translation(t, d.timestamp()));
    }
  }
}
