package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.SharedClients;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.models.local.Translator;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CacheLookup;
import dev.tarjama.transforms.backend.CallBackend;
import dev.tarjama.transforms.backend.CallOptions;
import dev.tarjama.transforms.backend.ChunkAnswers;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.backend.SpreadOverBuckets;
import dev.tarjama.transforms.inference.RunInference;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Translates every chunk with every configured backend: k candidates per chunk per backend.
 *
 * <p>Input: {@code PCollection<Chunk>} in the global window (a batch pipeline). Each backend gets
 * its own branch. An API backend's branch is a {@link CallBackend} of {@link ChunkCall}s: the
 * chunks reshuffled first, so that the slow part (the calls) spreads over all workers whatever
 * the upstream fusion; one HTTP client per backend configuration per JVM ({@link SharedClients},
 * built in {@code @Setup}, API key read from its environment variable there); no wait per
 * element: up to the backend's {@code concurrency} requests in flight within a bundle, results
 * emitted as they complete, the rest in {@code @FinishBundle}.
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
 * flight in this JVM or already answered in the cache ({@link
 * dev.tarjama.transforms.backend.SharedCalls}), so its first
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
 *       surrounding whitespace is made the source chunk's ({@link
 *       CompletionCandidates#keepEdgeWhitespace}). Token
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
  public static final TupleTag<ChunkTranslation> TRANSLATIONS = ChunkAnswers.CANDIDATES;

  /** Candidates that could not be had: k per failed (chunk, backend). */
  public static final TupleTag<ChunkTranslation> FAILURES = ChunkAnswers.FAILED;

  /** Chunks not sent because an identical chunk was; their translations are copies. */
  public static final TupleTag<Chunk> DUPLICATES = new TupleTag<>() {};

  public static final String METRICS_NAMESPACE = BackendMetrics.NAMESPACE;

  private final List<BackendSpec> backends;
  private final CallOptions options;
  private final TranslatorFactory translatorFactory;
  private final boolean deduplicate;
  private final SpendingLimit spendingLimit;

  private TranslateChunks(
      List<BackendSpec> backends,
      CallOptions options,
      TranslatorFactory translatorFactory,
      boolean deduplicate,
      SpendingLimit spendingLimit) {
    this.backends = backends;
    this.options = options;
    this.translatorFactory = translatorFactory;
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
    return new TranslateChunks(List.copyOf(backends), CallOptions.defaults(),
        TranslatorFactory.models(), true, SpendingLimit.none());
  }

  /**
   * Spreads chunks over this many keys before the calls (0, the default: one random key per chunk,
   * as the runner likes it). A runner that makes one bundle per key (the DirectRunner) needs few
   * keys to put many chunks in one bundle, where the backend's concurrency limit can fill up.
   */
  public TranslateChunks withShuffleBuckets(int buckets) {
    return new TranslateChunks(backends, options.withShuffleBuckets(buckets), translatorFactory,
        deduplicate, spendingLimit);
  }

  /**
   * For a pipeline whose workers are one JVM: the chunks are not spread before the calls ({@link
   * CallOptions#onOneWorker}).
   */
  public TranslateChunks onOneWorker() {
    return new TranslateChunks(backends, options.onOneWorker(), translatorFactory, deduplicate,
        spendingLimit);
  }

  /**
   * Whether {@code backend}'s branch is given every chunk (true) or each distinct text once: an
   * API or batch backend with a cache shares answers between identical chunks as it calls, a
   * local one is given each text once (with deduplication). The progress line's total counts a
   * backend's chunks this way.
   */
  public static boolean asksEveryChunk(BackendSpec backend, boolean deduplicate, boolean cached) {
    return !deduplicate || (cached && !backend.isLocal());
  }

  public static TranslateChunks with(BackendSpec... backends) {
    return with(List.of(backends));
  }

  /**
   * Opens local backends' models with {@code factory} instead of by their directory layout ({@link
   * TranslatorFactory#models()}); for tests and embedders.
   */
  public TranslateChunks withTranslatorFactory(TranslatorFactory factory) {
    return new TranslateChunks(backends, options, factory, deduplicate, spendingLimit);
  }

  /**
   * Looks chunks up in, and stores translations in, the cache at {@code uri} ({@code sqlite:PATH},
   * {@code redis://HOST:PORT[/DB]}, or {@code none}, the default); see {@link
   * dev.tarjama.models.cache.TranslationCaches}.
   *
   * @throws IllegalArgumentException when the URI is not one of those forms
   */
  public TranslateChunks withCache(String uri) {
    return new TranslateChunks(
        backends, options.withCache(uri), translatorFactory, deduplicate, spendingLimit);
  }

  /** Translates identical chunks once each ({@code true}, the default) or every chunk. */
  public TranslateChunks withDeduplication(boolean value) {
    return new TranslateChunks(backends, options, translatorFactory, value, spendingLimit);
  }

  /**
   * Stops sending once {@code limit} is spent (per worker JVM; see {@link SpendingLimit}): chunks
   * not sent become failures whose error starts with "budget exhausted". Cache hits cost nothing
   * and are never refused.
   */
  public TranslateChunks withSpendingLimit(SpendingLimit limit) {
    return new TranslateChunks(
        backends, options, translatorFactory, deduplicate, Objects.requireNonNull(limit));
  }

  /** The backends, in branch order. */
  public List<BackendSpec> backends() {
    return backends;
  }

  /**
   * The name of a per-backend metric, e.g. {@code translate/SFT_Gemma3_ranked/api_calls} (made by
   * {@link BackendMetrics}).
   */
  public static String metricName(String backendLabel, String metric) {
    return BackendMetrics.translation(backendLabel).name(metric);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("backends",
        String.join(",", backends.stream().map(BackendSpec::label).toList()))
        .withLabel("Backends (labels, in branch order)"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(options.cacheUri()))
        .withLabel("Cache"));
    builder.add(DisplayData.item("deduplicate", deduplicate).withLabel("Identical chunks sent once"));
    builder.addIfNotDefault(
        DisplayData.item("shuffleBuckets", options.shuffleBuckets()).withLabel("Shuffle buckets"), 0);
    if (spendingLimit.isLimited()) {
      builder.add(DisplayData.item("spendingLimit", spendingLimit.describe())
          .withLabel("Spending limit (per worker)"));
    }
  }

  @Override
  public PCollectionTuple expand(PCollection<Chunk> input) {
    PCollection<Chunk> chunks = input;
    PCollectionTuple deduplicated = null;
    boolean cached = options.cached();
    String cacheUri = options.cacheUri();
    // With a cache, API branches deduplicate as they call (SharedCalls), so their first
    // requests wait for no grouping; the grouping still counts the duplicates and serves the
    // local branches (batched inference has no call to share) and runs without a cache.
    boolean share = deduplicate && cached;
    PCollection<Chunk> unique = input;
    if (deduplicate) {
      deduplicated = input.apply("Deduplicate chunks", DeduplicateChunks.create());
      unique = deduplicated.get(DeduplicateChunks.UNIQUE);
      chunks = share ? input : unique;
    }
    List<PCollection<ChunkTranslation>> translations = new ArrayList<>();
    List<PCollection<ChunkTranslation>> failures = new ArrayList<>();
    // The outputs of branches that translated every chunk themselves: no fan-out.
    List<PCollection<ChunkTranslation>> completeTranslations = new ArrayList<>();
    List<PCollection<ChunkTranslation>> completeFailures = new ArrayList<>();
    for (BackendSpec backend : backends) {
      boolean whole = deduplicate && asksEveryChunk(backend, deduplicate, cached);
      List<PCollection<ChunkTranslation>> ts = whole ? completeTranslations : translations;
      List<PCollection<ChunkTranslation>> fs = whole ? completeFailures : failures;
      PCollection<Chunk> toTranslate = backend.isLocal() ? unique : chunks;
      if (!backend.isLocal() && !backend.isBatch()) {
        // The calls look their chunks up themselves (CallBackend).
        translateWithApi(backend, toTranslate, share, ts, fs);
        continue;
      }
      if (cached) {
        CacheLookup<Chunk, ChunkTranslation> lookup = CacheLookup.of(ChunkAnswers.of(backend),
            cacheUri);
        PCollectionTuple found =
            toTranslate.apply("Look up " + backend.name() + " in cache", lookup);
        ts.add(found.get(ChunkAnswers.CANDIDATES));
        toTranslate = found.get(lookup.misses());
      }
      if (backend.isBatch()) {
        batchMisses(backend, toTranslate, cached, fs);
      } else {
        translateLocally(backend, toTranslate, ts, fs);
      }
    }
    return combine(input, deduplicated, translations, failures, completeTranslations,
        completeFailures);
  }

  /**
   * A batch backend's branch: the launcher's batch phase put every answer it got into the cache,
   * so what the lookup missed fails with the phase's reason ({@link BatchMisses}).
   */
  private static void batchMisses(
      BackendSpec backend,
      PCollection<Chunk> misses,
      boolean cached,
      List<PCollection<ChunkTranslation>> fs) {
    if (!cached) {
      throw new IllegalArgumentException(
          "backend " + backend.name() + " is a batch backend: it needs a cache");
    }
    fs.add(misses.apply("Batch misses of " + backend.name(),
        ParDo.of(new BatchMisses(backend))).setCoder(new ModelCoders.ChunkTranslationCoder()));
  }

  /** A local backend's branch: batched in-process inference, stored as each batch leaves it. */
  private void translateLocally(
      BackendSpec backend,
      PCollection<Chunk> toTranslate,
      List<PCollection<ChunkTranslation>> ts,
      List<PCollection<ChunkTranslation>> fs) {
    Coder<ChunkTranslation> coder = new ModelCoders.ChunkTranslationCoder();
    RunInference<Chunk, List<ChunkTranslation>, Translator> inference =
        RunInference.of(
                new TranslatorModelHandler(
                    backend.name(), backend.label(), backend.local(), translatorFactory))
            .withShards(backend.local().shards())
            .withMetricPrefix(BackendMetrics.translation(backend.label()).prefix());
    PCollectionTuple branch = toTranslate.apply("Translate with " + backend.name(), inference);
    PCollection<List<ChunkTranslation>> results = branch.get(inference.resultsTag());
    if (options.cached()) {
      results =
          results
              .apply(
                  "Store " + backend.name() + " in cache",
                  ParDo.of(new StoreLocalCandidatesFn(options.cacheUri(), backend)))
              .setCoder(results.getCoder());
    }
    ts.add(
        results
            .apply("Candidates of " + backend.name(),
                ParDo.of(new LocalCandidatesFn(backend.label())))
            .setCoder(coder));
    fs.add(
        branch
            .get(inference.failuresTag())
            .apply("Failures of " + backend.name(),
                ParDo.of(new LocalFailuresFn(backend.label(), backend.k())))
            .setCoder(coder));
  }

  /**
   * An API backend's branch: the calls ({@link CallBackend} of {@link ChunkCall}s: spread, looked
   * up, sent), then one retry with more room of the chunks whose answer was cut, whether just now
   * or in the cache.
   */
  private void translateWithApi(
      BackendSpec backend,
      PCollection<Chunk> toTranslate,
      boolean share,
      List<PCollection<ChunkTranslation>> ts,
      List<PCollection<ChunkTranslation>> fs) {
    ApiBranch api = new ApiBranch(backend, options.cacheUri(), spendingLimit, share);
    PCollectionTuple branch =
        toTranslate.apply(
            "Translate with " + backend.name(),
            CallBackend.of(ChunkCall.firstPass(backend))
                .withOptions(options)
                .withSpendingLimit(spendingLimit)
                .sharingIdenticalRequests(share));
    ts.add(branch.get(TRANSLATIONS));
    fs.add(branch.get(FAILURES));
    PCollection<Chunk> cut = branch.get(ChunkAnswers.CUT);
    PCollectionTuple retried =
        cut.apply("Retry truncated " + backend.name() + " chunks", TruncationRetry.of(api));
    ts.add(retried.get(TRANSLATIONS));
    fs.add(retried.get(FAILURES));
  }

  /**
   * The outputs: the branches that translated every chunk as they are, the others' results
   * copied to every chunk identical to the one they translated.
   */
  private static PCollectionTuple combine(
      PCollection<Chunk> input,
      PCollectionTuple deduplicated,
      List<PCollection<ChunkTranslation>> translations,
      List<PCollection<ChunkTranslation>> failures,
      List<PCollection<ChunkTranslation>> completeTranslations,
      List<PCollection<ChunkTranslation>> completeFailures) {
    Coder<ChunkTranslation> coder = new ModelCoders.ChunkTranslationCoder();
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

  /** Translations and failures back on their own outputs after the fan-out. */
  static final class SplitFailuresFn extends DoFn<ChunkTranslation, ChunkTranslation> {
    @ProcessElement
    public void process(@Element ChunkTranslation t, MultiOutputReceiver out) {
      out.get(t.failed() ? FAILURES : TRANSLATIONS).output(t);
    }
  }
}
