package dev.tarjama.transforms.backend;

import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.DisplayValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Asks an OpenAI-compatible backend about each input, whatever is asked ({@link BackendCall}:
 * translation, the judge): the one place a backend is called from a pipeline.
 *
 * <p>Input: {@code PCollection<InputT>} in the global window (a batch pipeline). The steps, in
 * order:
 *
 * <ol>
 *   <li>spread over the workers ({@link Reshuffle#viaRandomKey}, or {@link SpreadOverBuckets}
 *       with {@link #withShuffleBuckets}), since the calls take the time whatever the upstream
 *       fusion; left out with {@link #withoutReshuffle} for inputs that are already spread, and
 *       on one worker JVM ({@link CallOptions#onOneWorker});
 *   <li>with a cache, looked up ({@link CacheLookup}): an input whose answers are all stored
 *       becomes its outputs without a call;
 *   <li>the calls: one shared client per backend configuration per JVM ({@code SharedClients},
 *       API key read at {@code @Setup}), up to the backend's {@code concurrency} in flight per
 *       bundle, each retried per the backend's {@code retries}/{@code backoff}, within the
 *       spending limit ({@link #withSpendingLimit}: an input the limit refuses is not sent, {@link
 *       BackendCall#refused}), each answer stored as it arrives so that a killed run keeps what it
 *       paid for; with {@link #sharingIdenticalRequests} (and a cache) identical requests in
 *       flight in a JVM are one call ({@link SharedCalls}).
 * </ol>
 *
 * <p>Outputs: the call's own ({@link BackendCall#output} and {@link BackendCall#otherOutputs}),
 * from the cache and from the calls together; every input lands in them as the call decides
 * (answered, copied, failed for good with the original input kept, or refused). Fails the
 * pipeline (configuration errors): an unset API key variable, a cache that cannot be opened, a
 * non-global window.
 *
 * <p>Metrics, namespace {@code tarjama}, under the call's {@link BackendMetrics}: {@code
 * api_calls} (HTTP attempts), {@code retries}, {@code tokens_in}, {@code tokens_out}, {@code
 * tokens_estimated}, {@code failures}, {@code budget_refused}, {@code cache_errors}, the
 * distribution {@code latency_ms}, and the lookup's {@code cache_hits}, {@code cache_misses},
 * {@code tokens_saved}; the call adds its own.
 */
public final class CallBackend<InputT, OutputT>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {
  private final BackendCall<InputT, OutputT> call;
  private final CallOptions options;
  private final SpendingLimit spendingLimit;
  private final boolean share;
  private final boolean reshuffle;

  private CallBackend(
      BackendCall<InputT, OutputT> call,
      CallOptions options,
      SpendingLimit spendingLimit,
      boolean share,
      boolean reshuffle) {
    this.call = call;
    this.options = options;
    this.spendingLimit = spendingLimit;
    this.share = share;
    this.reshuffle = reshuffle;
  }

  /** Calls for {@code call}: no cache, no spending limit, no sharing, random keys. */
  public static <InputT, OutputT> CallBackend<InputT, OutputT> of(
      BackendCall<InputT, OutputT> call) {
    Objects.requireNonNull(call, "call");
    if (call.backend().isLocal()) {
      throw new IllegalArgumentException(
          "backend " + call.backend().name() + " is local: it is not called over HTTP");
    }
    return new CallBackend<>(call, CallOptions.defaults(), SpendingLimit.none(), false, true);
  }

  /** The calls spread and cached as {@code options} say. */
  public CallBackend<InputT, OutputT> withOptions(CallOptions options) {
    return new CallBackend<>(call, Objects.requireNonNull(options), spendingLimit, share, reshuffle);
  }

  /**
   * Looks every request up in, and stores every answer in, the cache at {@code uri} ({@code
   * sqlite:PATH}, {@code redis://…}, {@code none}, the default); failures are not stored.
   */
  public CallBackend<InputT, OutputT> withCache(String uri) {
    return withOptions(options.withCache(uri));
  }

  /** Spreads the inputs over this many keys before the calls (0, the default: random keys). */
  public CallBackend<InputT, OutputT> withShuffleBuckets(int buckets) {
    return withOptions(options.withShuffleBuckets(buckets));
  }

  /** Sends only what {@code limit} (per worker JVM) lets go. */
  public CallBackend<InputT, OutputT> withSpendingLimit(SpendingLimit limit) {
    return new CallBackend<>(call, options, Objects.requireNonNull(limit), share, reshuffle);
  }

  /** With {@code share} and a cache, identical requests in flight in a JVM are one call. */
  public CallBackend<InputT, OutputT> sharingIdenticalRequests(boolean share) {
    return new CallBackend<>(call, options, spendingLimit, share, reshuffle);
  }

  /** No spreading: the inputs come already spread (the outputs of earlier calls). */
  public CallBackend<InputT, OutputT> withoutReshuffle() {
    return new CallBackend<>(call, options, spendingLimit, share, false);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    DisplayValues.backend(builder, call.backend());
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(options.cacheUri()))
        .withLabel("Cache"));
    builder.addIfNotDefault(
        DisplayData.item("shuffleBuckets", options.shuffleBuckets()).withLabel("Shuffle buckets"), 0);
    builder.add(DisplayData.item("spread", reshuffle && options.spread())
        .withLabel("Spread over workers before the calls"));
    builder.add(DisplayData.item("shareInFlight", share && options.cached())
        .withLabel("Identical requests in flight sent once"));
    if (spendingLimit.isLimited()) {
      builder.add(DisplayData.item("spendingLimit", spendingLimit.describe())
          .withLabel("Spending limit (per worker)"));
    }
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> input) {
    PCollection<InputT> toCall = input;
    if (reshuffle && options.spread()) {
      PTransform<PCollection<InputT>, PCollection<InputT>> spread =
          options.shuffleBuckets() > 0
              ? SpreadOverBuckets.<InputT>of(options.shuffleBuckets())
              : Reshuffle.viaRandomKey();
      toCall = toCall.apply("Spread over workers", spread);
    }
    PCollectionTuple stored = null;
    if (options.cached()) {
      CacheLookup<InputT, OutputT> lookup = CacheLookup.of(call, options.cacheUri());
      stored = toCall.apply("Look up in cache", lookup);
      toCall = stored.get(lookup.misses());
    }
    PCollectionTuple called =
        toCall.apply(
            "Call " + call.backend().name(),
            ParDo.of(new CallFn<>(call, options.cacheUri(), spendingLimit, share))
                .withOutputTags(call.output(), call.otherOutputs()));
    call.setCoders(called, input.getCoder());
    List<TupleTag<?>> tags = new ArrayList<>();
    tags.add(call.output());
    tags.addAll(call.otherOutputs().getAll());
    PCollectionTuple outputs = PCollectionTuple.empty(input.getPipeline());
    for (int i = 0; i < tags.size(); i++) {
      outputs = and(outputs, tags.get(i), stored, called, "Stored and called " + i);
    }
    return outputs;
  }

  /** {@code tag}'s output: the calls', and the cache's when there is a cache. */
  private static <T> PCollectionTuple and(
      PCollectionTuple outputs, TupleTag<T> tag, PCollectionTuple stored, PCollectionTuple called,
      String name) {
    PCollection<T> out = called.get(tag);
    if (stored != null) {
      out = PCollectionList.of(stored.get(tag)).and(out).apply(name, Flatten.pCollections());
    }
    return outputs.and(tag, out);
  }
}
