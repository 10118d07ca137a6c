package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SharedClients;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * What every DoFn that calls an OpenAI-compatible backend does, whatever it asks: the translation
 * calls and the judge's: {@link CallBackend}'s calling DoFn holds one and calls it from its
 * lifecycle methods.
 *
 * <ul>
 *   <li>One HTTP client per backend configuration per JVM ({@link SharedClients}, acquired in
 *       {@link #setup}, released in {@link #teardown}) and the cache at its URI, if any ({@link
 *       TranslationCaches}).
 *   <li>Calls in flight within a bundle ({@link PendingCalls}): up to the backend's {@code
 *       concurrency}, results emitted as they complete ({@link #startElement}) and the rest at
 *       the end of the bundle ({@link #finishBundle}).
 *   <li>Answers stored the moment they arrive, on the HTTP client's thread ({@link #store}), so
 *       that a killed worker pays only for the calls in flight; a write that fails is counted
 *       ({@code cache_errors}) where Beam counters count, and the answer goes on.
 *   <li>The counters every call has ({@link BackendMetrics}): {@code api_calls} (HTTP attempts),
 *       {@code retries}, {@code tokens_in}, {@code tokens_out}, {@code tokens_estimated} (tokens
 *       counted without the server's usage), {@code failures} and the distribution {@code
 *       latency_ms}, counted when a result is emitted ({@link #completed}, {@link #failed}).
 * </ul>
 *
 * @param <I> the element a call is made for
 */
public final class BackendCalls<I> implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A finished call: its element and timestamp, the answer or the error, and how long it took.
   *
   * @param <A> what the call answers (a {@link Completion}, or what a shared call gives)
   */
  public record Done<I, A>(I element, Instant timestamp, A answer, Throwable error, long nanos) {}

  /** Where results go: the element's receiver, or the bundle's context in {@code @FinishBundle}. */
  public interface Outputs {
    <T> void output(TupleTag<T> tag, T value, Instant timestamp);

    /** In {@code @ProcessElement}: the element being processed sets the timestamp (legal). */
    static Outputs of(DoFn.MultiOutputReceiver out) {
      return new Outputs() {
        @Override
        public <T> void output(TupleTag<T> tag, T value, Instant timestamp) {
          out.get(tag).output(value);
        }
      };
    }

    /** In {@code @FinishBundle}: each result with its element's timestamp, in the global window. */
    static Outputs of(DoFn<?, ?>.FinishBundleContext context) {
      return new Outputs() {
        @Override
        public <T> void output(TupleTag<T> tag, T value, Instant timestamp) {
          context.output(tag, value, timestamp, GlobalWindow.INSTANCE);
        }
      };
    }
  }

  private final String backendName;
  private final BackendConfig config;
  private final String cacheUri;

  private final Counter apiCalls;
  private final Counter retries;
  private final Counter tokensIn;
  private final Counter tokensOut;
  private final Counter tokensEstimated;
  private final Counter failures;
  private final Counter cacheErrors;
  private final Distribution latencyMs;

  private transient OpenAiCompatibleClient client;
  private transient TranslationCache cache;
  /** Cache writes that failed on a callback thread, where Beam counters do not count. */
  private transient java.util.concurrent.atomic.AtomicLong failedCacheWrites;
  private transient PendingCalls<Done<I, Completion>> pending;

  /**
   * Calls to the backend named {@code backendName} with {@code config}, storing in the cache at
   * {@code cacheUri} (or none), counted under {@code metrics}.
   */
  public BackendCalls(
      String backendName, BackendConfig config, String cacheUri, BackendMetrics metrics) {
    this.backendName = backendName;
    this.config = config;
    this.cacheUri = cacheUri;
    this.apiCalls = metrics.counter("api_calls");
    this.retries = metrics.counter("retries");
    this.tokensIn = metrics.counter("tokens_in");
    this.tokensOut = metrics.counter("tokens_out");
    this.tokensEstimated = metrics.counter("tokens_estimated");
    this.failures = metrics.counter("failures");
    this.cacheErrors = metrics.counter("cache_errors");
    this.latencyMs = metrics.distribution("latency_ms");
  }

  /** Fails the pipeline outside the global window: these calls are for batch pipelines. */
  private static void requireGlobalWindow(BoundedWindow window, String transform) {
    if (!(window instanceof GlobalWindow)) {
      throw new IllegalStateException(
          transform + " runs in the global window (a batch pipeline), got " + window);
    }
  }

  /** At {@code @Setup}: the shared client (its API key read now) and the cache. */
  public void setup() {
    client = SharedClients.acquire(config);
    failedCacheWrites = new java.util.concurrent.atomic.AtomicLong();
    if (!TranslationCaches.isNone(cacheUri)) {
      cache = TranslationCaches.acquire(cacheUri);
    }
  }

  /** At {@code @StartBundle}. */
  public void startBundle() {
    pending = new PendingCalls<>();
  }

  /** At {@code @Teardown}: the client and the cache released. */
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

  public OpenAiCompatibleClient client() {
    return client;
  }

  /** The cache; null without one. */
  public TranslationCache cache() {
    return cache;
  }

  /**
   * At {@code @ProcessElement}, before the element's call: fails outside the global window
   * (named {@code transform} in the error), emits the calls that finished and, while the
   * backend's concurrency is used up, waits for one. Returns where this element's results go.
   */
  public Outputs startElement(
      String transform,
      BoundedWindow window,
      DoFn.MultiOutputReceiver out,
      BiConsumer<Done<I, Completion>, Outputs> emit)
      throws InterruptedException {
    requireGlobalWindow(window, transform);
    Outputs outputs = Outputs.of(out);
    pending.makeRoom(config.concurrency(), d -> emit.accept(d, outputs));
    return outputs;
  }

  /**
   * Tracks {@code call}, made for {@code element} at {@code startNanos}: when it completes, {@code
   * onArrival} runs on the completing thread (it must not throw; it is where answers are stored)
   * and the result is queued for {@link #startElement} and {@link #finishBundle}.
   */
  public void add(
      I element,
      Instant timestamp,
      long startNanos,
      CompletableFuture<Completion> call,
      BiConsumer<Completion, Throwable> onArrival) {
    pending.add(
        call,
        (completion, error) -> {
          onArrival.accept(completion, error);
          return new Done<>(element, timestamp, completion, error, System.nanoTime() - startNanos);
        });
  }

  /**
   * At {@code @FinishBundle}: waits for and emits every call still in flight. Returns where
   * results go at the end of the bundle.
   */
  public Outputs finishBundle(
      DoFn<?, ?>.FinishBundleContext context, BiConsumer<Done<I, Completion>, Outputs> emit)
      throws InterruptedException {
    Outputs outputs = Outputs.of(context);
    pending.drain(d -> emit.accept(d, outputs));
    countCacheErrors();
    return outputs;
  }

  /** Stores {@code entries}; never throws (the answer is good either way), counts a failure. */
  public void store(Map<CacheKey, CachedTranslation> entries) {
    if (cache == null) {
      return;
    }
    try {
      cache.putAll(entries);
    } catch (RuntimeException e) {
      failedCacheWrites.incrementAndGet();
    }
  }

  /** Stores one entry, as {@link #store(Map)}. */
  public void store(CacheKey key, CachedTranslation entry) {
    if (cache == null) {
      return;
    }
    try {
      cache.put(key, entry);
    } catch (RuntimeException e) {
      failedCacheWrites.incrementAndGet();
    }
  }

  /** Counts a call that answered: its latency, attempts, retries and tokens. */
  public void completed(Done<I, Completion> d) {
    latencyMs.update(d.nanos() / 1_000_000);
    Completion c = d.answer();
    apiCalls.inc(c.attempts());
    retries.inc(c.retries());
    tokensIn.inc(c.promptTokens());
    tokensOut.inc(c.completionTokens());
    if (c.usageEstimated()) {
      tokensEstimated.inc(c.promptTokens() + c.completionTokens());
    }
    countCacheErrors();
  }

  /**
   * Counts a call that failed for good (its latency, attempts, the failure) and says why, for a
   * dead letter or a failed candidate: {@code backend NAME: } and the {@link PendingCalls.Failure}
   * message (never the API key).
   */
  public String failed(Done<I, ?> d) {
    latencyMs.update(d.nanos() / 1_000_000);
    PendingCalls.Failure failure = PendingCalls.Failure.of(d.error());
    apiCalls.inc(failure.attempts());
    retries.inc(Math.max(0, failure.attempts() - 1));
    failures.inc();
    return error(d.error());
  }

  /** What {@code error} says, as {@link #failed} puts it, without counting it. */
  public String error(Throwable error) {
    return "backend " + backendName + ": " + PendingCalls.Failure.of(error).message();
  }

  private void countCacheErrors() {
    cacheErrors.inc(failedCacheWrites.getAndSet(0));
  }
}
