package dev.tarjama.transforms.judge;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.CompatibleLookup;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SharedClients;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.model.DeadLetter;
import dev.tarjama.transforms.model.ModelCoders;
import dev.tarjama.transforms.translate.BackendCaching;
import dev.tarjama.transforms.translate.BackendSpec;
import dev.tarjama.transforms.translate.PendingCalls;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Asks an LLM judge whether each English–Arabic pair is a good translation, as Hala filtered
 * OPUS-100 (it kept 439,592 of ~1M pairs): one chat or completions request per pair, with a {@link
 * JudgePrompt} (the shipped {@code strict} template by default), the answer read by {@link
 * VerdictParser}.
 *
 * <p>Input: {@code PCollection<ParallelPair>} in the global window (a batch pipeline). Pairs are
 * reshuffled first so that the calls spread over all workers. One {@link OpenAiCompatibleClient}
 * per backend configuration per JVM ({@link SharedClients}, API key read from the spec's {@code
 * key-env} variable at {@code @Setup}); up to the backend's {@code concurrency} requests in flight
 * per bundle, each retried per the backend's {@code retries}/{@code backoff}. What is sent is
 * exactly {@link JudgeRequest#of} (config, prompt, pair), n = 1, so a content-addressed cache can
 * wrap {@link JudgeFn}, the one place a request is made.
 *
 * <p>Outputs (a {@link PCollectionTuple}; every input pair lands in exactly one):
 *
 * <ul>
 *   <li>{@link #ACCEPTED}, {@link #REJECTED}: {@link JudgedPair}s whose answer was a verdict.
 *   <li>{@link #UNDECIDED}: the answer was anything else; kept with the raw answer, never guessed.
 *   <li>{@link #DEAD_LETTERS}: the request failed for good (a permanent 4xx, or every retry used
 *       up): a {@link DeadLetter} of stage {@code judge} with the pair as JSON ({@code id, en, ar,
 *       file, line}) and an error naming the backend, the model and the HTTP status or timeout,
 *       never the API key.
 * </ul>
 *
 * <p>Fails the pipeline (configuration errors): an unset API key variable, a non-global window.
 * Counters (namespace {@code tarjama}): {@code judge/api_calls} (HTTP attempts), {@code
 * judge/retries}, {@code judge/tokens_in}, {@code judge/tokens_out}, {@code
 * judge/tokens_estimated}, {@code judge/accepted}, {@code judge/rejected}, {@code
 * judge/undecided}, {@code judge/failures}; distribution {@code judge/latency_ms}.
 */
public final class JudgeParallelPairs
    extends PTransform<PCollection<ParallelPair>, PCollectionTuple> {
  public static final TupleTag<JudgedPair> ACCEPTED = new TupleTag<>() {};
  public static final TupleTag<JudgedPair> REJECTED = new TupleTag<>() {};
  public static final TupleTag<JudgedPair> UNDECIDED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  public static final String STAGE = "judge";
  private static final String NS = "tarjama";

  private final BackendSpec backend;
  private final JudgePrompt prompt;
  private final int shuffleBuckets;
  private final String cacheUri;

  private JudgeParallelPairs(
      BackendSpec backend, JudgePrompt prompt, int shuffleBuckets, String cacheUri) {
    this.backend = backend;
    this.prompt = prompt;
    this.shuffleBuckets = shuffleBuckets;
    this.cacheUri = cacheUri;
  }

  /**
   * Judges with this API backend ({@code kind=openai-chat} or {@code openai-completions}; its
   * {@code k} must be 1: one answer per pair). The spec's translation prompt is not used.
   */
  public static JudgeParallelPairs using(BackendSpec backend) {
    Objects.requireNonNull(backend, "backend");
    if (backend.isLocal()) {
      throw new IllegalArgumentException(
          "backend " + backend.name() + ": a judge must be an OpenAI-compatible server, not kind=local");
    }
    if (backend.k() != 1) {
      throw new IllegalArgumentException(
          "backend " + backend.name() + ": a judge gives one answer per pair, so k must be 1");
    }
    return new JudgeParallelPairs(backend, JudgePrompt.strict(), 0, TranslationCaches.NONE);
  }

  /** Another prompt template than the shipped {@code strict} one. */
  public JudgeParallelPairs withPrompt(JudgePrompt prompt) {
    return new JudgeParallelPairs(
        backend, Objects.requireNonNull(prompt), shuffleBuckets, cacheUri);
  }

  /**
   * Spreads pairs over this many keys before the calls (0, the default: one random key per pair).
   * The DirectRunner makes one bundle per key, so few keys keep many requests in flight there.
   */
  public JudgeParallelPairs withShuffleBuckets(int buckets) {
    if (buckets < 0) {
      throw new IllegalArgumentException("shuffle buckets must be 0 or more, not " + buckets);
    }
    return new JudgeParallelPairs(backend, prompt, buckets, cacheUri);
  }

  /**
   * Looks every request up in, and stores every answer in, the cache at {@code uri} (the same
   * stores and URIs as translation: {@code sqlite:PATH}, {@code redis://…}, {@code none}, the
   * default). The key is the translation cache's, over the backend's protocol (prefixed {@code
   * judge/}), model and decoding settings and the rendered prompt; failures are not stored.
   */
  public JudgeParallelPairs withCache(String uri) {
    TranslationCaches.validate(uri);
    String value = TranslationCaches.isNone(uri) ? TranslationCaches.NONE : uri.strip();
    return new JudgeParallelPairs(backend, prompt, shuffleBuckets, value);
  }

  public BackendSpec backend() {
    return backend;
  }

  public JudgePrompt prompt() {
    return prompt;
  }

  /** A counter's name, e.g. {@code judge/api_calls}. */
  public static String metricName(String metric) {
    return "judge/" + metric;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    DisplayValues.backend(builder, backend);
    builder.add(DisplayData.item("prompt", prompt.name()).withLabel("Judge prompt"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(cacheUri))
        .withLabel("Cache"));
    builder.addIfNotDefault(
        DisplayData.item("shuffleBuckets", shuffleBuckets).withLabel("Shuffle buckets"), 0);
  }

  @Override
  public PCollectionTuple expand(PCollection<ParallelPair> pairs) {
    Reshuffle.ViaRandomKey<ParallelPair> reshuffle = Reshuffle.viaRandomKey();
    if (shuffleBuckets > 0) {
      reshuffle = reshuffle.withNumBuckets(shuffleBuckets);
    }
    PCollectionTuple judged =
        pairs
            .apply("Spread pairs over workers", reshuffle)
            .apply("Judge with " + backend.name(),
                ParDo.of(new JudgeFn(backend, prompt, cacheUri))
                    .withOutputTags(ACCEPTED,
                        TupleTagList.of(REJECTED).and(UNDECIDED).and(DEAD_LETTERS)));
    judged.get(ACCEPTED).setCoder(new JudgedPair.JudgedPairCoder());
    judged.get(REJECTED).setCoder(new JudgedPair.JudgedPairCoder());
    judged.get(UNDECIDED).setCoder(new JudgedPair.JudgedPairCoder());
    judged.get(DEAD_LETTERS).setCoder(new ModelCoders.DeadLetterCoder());
    return judged;
  }

  /** A finished request: the pair, and the completion or the error. */
  private record Done(
      ParallelPair pair, Instant timestamp, Completion completion, Throwable error, long nanos) {}

  /** Where results go: the element's receiver, or the bundle's context in {@code @FinishBundle}. */
  private interface Sink {
    <T> void output(TupleTag<T> tag, T value, Instant timestamp);
  }

  /** The one place a judge request is made (see {@link JudgeRequest}). */
  static final class JudgeFn extends DoFn<ParallelPair, JudgedPair> {
    private final String backendName;
    private final BackendConfig config;
    private final JudgePrompt prompt;
    private final String cacheUri;
    private final CacheKeyspace keyspace;

    private final Counter apiCalls = Metrics.counter(NS, metricName("api_calls"));
    private final Counter retries = Metrics.counter(NS, metricName("retries"));
    private final Counter tokensIn = Metrics.counter(NS, metricName("tokens_in"));
    private final Counter tokensOut = Metrics.counter(NS, metricName("tokens_out"));
    private final Counter tokensEstimated = Metrics.counter(NS, metricName("tokens_estimated"));
    private final Counter accepted = Metrics.counter(NS, metricName("accepted"));
    private final Counter rejected = Metrics.counter(NS, metricName("rejected"));
    private final Counter undecided = Metrics.counter(NS, metricName("undecided"));
    private final Counter failures = Metrics.counter(NS, metricName("failures"));
    private final Distribution latencyMs = Metrics.distribution(NS, metricName("latency_ms"));
    private final Counter cacheHits = Metrics.counter(NS, metricName("cache_hits"));
    private final Counter cacheErrors = Metrics.counter(NS, metricName("cache_errors"));

    private transient OpenAiCompatibleClient client;
    private transient TranslationCache cache;
    private final java.util.concurrent.atomic.AtomicLong storeErrors =
        new java.util.concurrent.atomic.AtomicLong();
    private transient PendingCalls<Done> pending;
    private transient CompatibleLookup lookup;

    JudgeFn(BackendSpec backend, JudgePrompt prompt, String cacheUri) {
      this.backendName = backend.name();
      this.config = backend.config();
      this.prompt = prompt;
      this.cacheUri = cacheUri;
      Map<String, String> identity = new TreeMap<>(backend.serverIdentity());
      identity.put("model-version", backend.modelVersion());
      this.keyspace = CacheKeyspace.of("judge/" + backend.kind().id(), config.model(), "",
          BackendCaching.apiDecoding(config)).withModelIdentity(identity);
    }

    @Setup
    public void setup() {
      client = SharedClients.acquire(config);
      if (!TranslationCaches.isNone(cacheUri)) {
        cache = TranslationCaches.acquire(cacheUri);
      }
    }

    @StartBundle
    public void startBundle() {
      pending = new PendingCalls<>();
    }

    @ProcessElement
    public void process(
        @Element ParallelPair pair,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out)
        throws InterruptedException {
      if (!(window instanceof GlobalWindow)) {
        throw new IllegalStateException(
            "JudgeParallelPairs runs in the global window (a batch pipeline), got " + window);
      }
      Sink sink =
          new Sink() {
            @Override
            public <T> void output(TupleTag<T> tag, T value, Instant timestamp) {
              // The element being processed sets the timestamp (always legal).
              out.get(tag).output(value);
            }
          };
      pending.makeRoom(config.concurrency(), d -> emit(d, sink));
      JudgeRequest request = JudgeRequest.of(config, prompt, pair);
      CacheKey key = cache == null ? null : keyspace.key(0, request.prompt());
      Optional<CachedTranslation> cached = lookUp(key, request.prompt());
      if (cached.isPresent()) {
        cacheHits.inc();
        verdict(pair, cached.get().text(), timestamp, sink);
        return;
      }
      long start = System.nanoTime();
      pending.add(
          client.translate(request.prompt(), 1),
          (completion, error) -> {
            if (error == null) {
              store(key, completion);
            }
            return new Done(pair, timestamp, completion, error, System.nanoTime() - start);
          });
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws InterruptedException {
      Sink sink =
          new Sink() {
            @Override
            public <T> void output(TupleTag<T> tag, T value, Instant timestamp) {
              context.output(tag, value, timestamp, GlobalWindow.INSTANCE);
            }
          };
      pending.drain(d -> emit(d, sink));
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

    /** A cache that cannot answer is counted and the pair is judged by the server. */
    private Optional<CachedTranslation> lookUp(CacheKey key, String prompt) {
      if (key == null) {
        return Optional.empty();
      }
      try {
        if (lookup == null) {
          lookup = CompatibleLookup.open(cache, keyspace);
        }
        return Optional.ofNullable(lookup.get(0, prompt));
      } catch (RuntimeException e) {
        cacheErrors.inc();
        return Optional.empty();
      }
    }

    /** Stored the moment the answer arrives (HTTP client thread), so a killed run keeps it. */
    private void store(CacheKey key, Completion c) {
      if (key == null) {
        return;
      }
      try {
        cache.put(key, new CachedTranslation(c.texts().get(0), c.promptTokens(),
            c.completionTokens()));
      } catch (RuntimeException e) {
        // Counted where Beam counters work: the answer is good either way.
        storeErrors.incrementAndGet();
      }
    }

    private void emit(Done d, Sink sink) {
      latencyMs.update(d.nanos() / 1_000_000);
      if (d.error() != null) {
        PendingCalls.Failure failure = PendingCalls.Failure.of(d.error());
        apiCalls.inc(failure.attempts());
        retries.inc(Math.max(0, failure.attempts() - 1));
        String message = failure.message();
        failures.inc();
        sink.output(DEAD_LETTERS, DeadLetter.of(d.pair().id, STAGE, "",
            "backend " + backendName + ": " + message, JudgeOutputs.pair(d.pair()).toString()),
            d.timestamp());
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
      cacheErrors.inc(storeErrors.getAndSet(0));
      verdict(d.pair(), c.texts().get(0), d.timestamp(), sink);
    }

    private void verdict(ParallelPair pair, String answer, Instant timestamp, Sink sink) {
      Verdict verdict = VerdictParser.parse(answer);
      JudgedPair judged = new JudgedPair(pair, verdict, answer);
      switch (verdict) {
        case ACCEPT -> {
          accepted.inc();
          sink.output(ACCEPTED, judged, timestamp);
        }
        case REJECT -> {
          rejected.inc();
          sink.output(REJECTED, judged, timestamp);
        }
        case UNDECIDED -> {
          undecided.inc();
          sink.output(UNDECIDED, judged, timestamp);
        }
      }
    }
  }
}
