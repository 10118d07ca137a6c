package dev.tarjama.transforms.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Runs a model over a collection in token-weighted batches: the Java counterpart of Beam's Python
 * {@code RunInference}, for a {@link ModelHandler}.
 *
 * <p>Input: {@code PCollection<InputT>}, any windowing. Inputs are first batched within their
 * bundle (a batch that fills up there runs at once, without a shuffle, as Python's {@code
 * BatchElements} batches); the rest is batched across bundles as follows. Each input is keyed by its
 * <em>length bucket</em> (the power of two at or above its {@link ModelHandler#weigh weight}, 8 at least) and
 * a shard ({@link #withShards}), then Beam's {@link GroupIntoBatches} batches each key by count and
 * weight ({@code ofByteSize(maxBatchWeight, weigh).withSize(maxBatchSize)}, and {@code
 * withMaxBufferingDuration} when the handler's {@link Batching} sets one). Keying by length bucket
 * keeps a long input from padding a batch of short ones (a batch's padded length is its longest
 * input; within a bucket that is at most twice the shortest), which is the waste Beam issue 37414
 * describes; each batch is also sorted by weight before it runs, so a handler that cuts it further
 * cuts it into similar lengths.
 *
 * <p>Why {@code GroupIntoBatches} and not only a buffer flushed in {@code @FinishBundle}: bundle
 * buffering makes batches no larger than bundles, and bundles are runner-dependent: the
 * DirectRunner hands a stage one element per bundle after a {@code Reshuffle}, so a CPU laptop run
 * would never batch. Why not only {@code GroupIntoBatches}: its state and timers cost about a
 * millisecond per input on the DirectRunner, more than a small model's run, so batches that fill
 * up within a bundle skip it. {@code GroupIntoBatches} is a stateful DoFn that every runner here supports
 * (DirectRunner, Flink batch and streaming, Dataflow batch and streaming), batches independently of
 * bundling, and flushes what is left when the window ends (in a batch pipeline: when the input is
 * exhausted). The cost is one shuffle, which also spreads the batches over workers.
 *
 * <p>A handler whose {@link Batching} allows one input per batch skips all of this: each input runs
 * alone where it is (no keys, no shuffle), as a bare loop would.
 *
 * <p>Parallelism is the number of keys: length buckets × {@link #withShards shards}. One shard per
 * bucket (the default) suits one machine; on a cluster give about as many shards as the workers
 * should run concurrent batches of one length. More keys also means more partly filled batches at
 * the end of the input (one per key).
 *
 * <p>Outputs (a {@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #resultsTag()}: what {@link ModelHandler#run} made of each input, coder {@link
 *       ModelHandler#outputCoder}.
 *   <li>{@link #failuresTag()}: {@code KV<input, error>} for each input the model failed on. A batch
 *       whose run throws (or returns a wrong number of outputs) is retried input by input, so only
 *       the inputs that fail alone become failures; the error names the input ({@link
 *       ModelHandler#describe}) and the exception.
 * </ul>
 *
 * <p>Every input ends in exactly one of the two. A model that cannot be loaded fails the pipeline
 * at {@code @Setup} (a configuration error, not a data error). Metrics, namespace {@code tarjama},
 * names prefixed by {@link #withMetricPrefix} ({@code inference/} by default): {@code batches},
 * {@code tokens} (sum of weights), {@code failures} (inputs), {@code batch_retries} (batches rerun
 * input by input), distributions {@code batch_size}, {@code batch_tokens} and {@code
 * batch_latency_ms} (one model run).
 */
public final class RunInference<InputT, OutputT, ModelT extends AutoCloseable>
    extends PTransform<PCollection<InputT>, PCollectionTuple> {

  public static final String METRICS_NAMESPACE = "tarjama";

  /** The id of {@link #resultsTag()}: equal tags of every {@code RunInference}. */
  public static final String RESULTS = "RunInference.results";

  /** The id of {@link #failuresTag()}. */
  public static final String FAILURES = "RunInference.failures";

  /** Length buckets start here: inputs up to this weight share the first bucket. */
  static final long SMALLEST_BUCKET = 8;

  private final ModelHandler<InputT, OutputT, ModelT> handler;
  private final int shards;
  private final boolean lengthBuckets;
  private final String metricPrefix;

  private RunInference(
      ModelHandler<InputT, OutputT, ModelT> handler,
      int shards,
      boolean lengthBuckets,
      String metricPrefix) {
    this.handler = handler;
    this.shards = shards;
    this.lengthBuckets = lengthBuckets;
    this.metricPrefix = metricPrefix;
  }

  /** Inference with {@code handler}: its model, weights and batching. */
  public static <I, O, M extends AutoCloseable> RunInference<I, O, M> of(
      ModelHandler<I, O, M> handler) {
    return new RunInference<>(handler, 1, true, "inference/");
  }

  /** Keys per length bucket: how many batches of one length can run at once (1). */
  public RunInference<InputT, OutputT, ModelT> withShards(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("shards must be at least 1, not " + value);
    }
    return new RunInference<>(handler, value, lengthBuckets, metricPrefix);
  }

  /** Batches mixed lengths together (for models that do not pad, or inputs of one length). */
  public RunInference<InputT, OutputT, ModelT> withoutLengthBuckets() {
    return new RunInference<>(handler, shards, false, metricPrefix);
  }

  /** Prefix of this transform's metric names, e.g. {@code translate/opus/}. */
  public RunInference<InputT, OutputT, ModelT> withMetricPrefix(String value) {
    return new RunInference<>(handler, shards, lengthBuckets, value);
  }

  /** The outputs of the model. */
  public TupleTag<OutputT> resultsTag() {
    return new TupleTag<>(RESULTS);
  }

  /** The inputs the model failed on, each with its error. */
  public TupleTag<KV<InputT, String>> failuresTag() {
    return new TupleTag<>(FAILURES);
  }

  public ModelHandler<InputT, OutputT, ModelT> handler() {
    return handler;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("modelHandler", handler.getClass()).withLabel("Model handler"));
    builder.add(DisplayData.item("model", handler.description()).withLabel("Model"));
    Batching batching = handler.batching();
    builder.add(DisplayData.item("maxBatchSize", batching.maxBatchSize())
        .withLabel("Most inputs per batch"));
    builder.add(DisplayData.item("maxBatchWeight", batching.maxBatchWeight())
        .withLabel("Most tokens per batch"));
    builder.addIfNotDefault(DisplayData.item("maxBufferingMs", batching.maxBuffering().toMillis())
        .withLabel("Longest wait of an incomplete batch (ms)"), 0L);
    builder.add(DisplayData.item("shards", shards).withLabel("Keys per length bucket"));
    builder.add(DisplayData.item("lengthBuckets", lengthBuckets).withLabel("Batches by length"));
    builder.add(DisplayData.item("metricPrefix", metricPrefix).withLabel("Metric prefix"));
  }

  @Override
  public PCollectionTuple expand(PCollection<InputT> input) {
    Coder<InputT> inputCoder = input.getCoder();
    Batching batching = handler.batching();
    GroupIntoBatches<String, InputT> batcher =
        GroupIntoBatches.<String, InputT>ofByteSize(
                batching.maxBatchWeight(), new Weigher<>(handler))
            .withSize(batching.maxBatchSize());
    if (!batching.maxBuffering().isZero()) {
      batcher =
          batcher.withMaxBufferingDuration(
              org.joda.time.Duration.millis(batching.maxBuffering().toMillis()));
    }
    TupleTag<OutputT> results = resultsTag();
    TupleTag<KV<InputT, String>> failures = failuresTag();
    if (batching.maxBatchSize() == 1) {
      // Batches of one need no batching: no keys, no GroupIntoBatches state and timers, which on
      // the DirectRunner cost more per input than a small model's run.
      PCollectionTuple out =
          input.apply(
              "Run model",
              ParDo.of(new RunEachFn<>(new RunBatchFn<>(handler, metricPrefix, results, failures)))
                  .withOutputTags(results, TupleTagList.of(failures)));
      out.get(results).setCoder(handler.outputCoder(input.getPipeline()));
      out.get(failures).setCoder(KvCoder.of(inputCoder, StringUtf8Coder.of()));
      return out;
    }
    TupleTag<KV<String, InputT>> rest = new TupleTag<>("rest") {};
    PCollectionTuple inBundles =
        input.apply(
            "Run full batches of a bundle",
            ParDo.of(new BundleBatchFn<>(
                    new RunBatchFn<>(handler, metricPrefix, results, failures), shards,
                    lengthBuckets, rest))
                .withOutputTags(results, TupleTagList.of(failures).and(rest)));
    PCollectionTuple acrossBundles =
        inBundles
            .get(rest)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), inputCoder))
            .apply("Batch by tokens", batcher)
            .apply(
                "Run model",
                ParDo.of(new RunBatchFn<>(handler, metricPrefix, results, failures))
                    .withOutputTags(results, TupleTagList.of(failures)));
    Coder<OutputT> outputCoder = handler.outputCoder(input.getPipeline());
    Coder<KV<InputT, String>> failureCoder = KvCoder.of(inputCoder, StringUtf8Coder.of());
    for (PCollectionTuple part : List.of(inBundles, acrossBundles)) {
      part.get(results).setCoder(outputCoder);
      part.get(failures).setCoder(failureCoder);
    }
    PCollection<OutputT> allResults =
        PCollectionList.of(inBundles.get(results))
            .and(acrossBundles.get(results))
            .apply("Results", Flatten.pCollections())
            .setCoder(outputCoder);
    PCollection<KV<InputT, String>> allFailures =
        PCollectionList.of(inBundles.get(failures))
            .and(acrossBundles.get(failures))
            .apply("Failures", Flatten.pCollections())
            .setCoder(failureCoder);
    return PCollectionTuple.of(results, allResults).and(failures, allFailures);
  }

  /** The length bucket of a weight: the power of two at or above it, {@link #SMALLEST_BUCKET} at least. */
  static long bucket(long weight) {
    long w = Math.max(weight, SMALLEST_BUCKET);
    long bound = Long.highestOneBit(w);
    return bound == w ? bound : bound << 1;
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Weigher<I> implements SerializableFunction<I, Long> {
    private final ModelHandler<I, ?, ?> handler;

    Weigher(ModelHandler<I, ?, ?> handler) {
      this.handler = handler;
    }

    @Override
    public Long apply(I input) {
      return Math.max(1L, handler.weigh(input));
    }
  }

  /**
   * Keys inputs by length bucket and shard, and batches what it can within the bundle: a batch
   * that fills up (count or weight) inside one bundle runs at once, here, as Python's {@code
   * BatchElements} batches; what is left when the bundle ends goes, input by input, to {@link
   * GroupIntoBatches}, which batches across bundles. Large bundles (Flink, Dataflow, a source read)
   * so skip GroupIntoBatches' per-input state and timers and the batch's own encoding; one-input
   * bundles (the DirectRunner after a shuffle) batch as before.
   */
  static final class BundleBatchFn<I, O, M extends AutoCloseable> extends DoFn<I, O> {
    private final RunBatchFn<I, O, M> runner;
    private final ModelHandler<I, O, M> handler;
    private final int shards;
    private final boolean lengthBuckets;
    private final int maxSize;
    private final long maxWeight;
    private final TupleTag<KV<String, I>> rest;
    private transient int next;
    private transient Map<KV<String, BoundedWindow>, Pending<I>> pending;

    BundleBatchFn(
        RunBatchFn<I, O, M> runner, int shards, boolean lengthBuckets, TupleTag<KV<String, I>> rest) {
      this.runner = runner;
      this.handler = runner.handler;
      this.shards = shards;
      this.lengthBuckets = lengthBuckets;
      this.maxSize = handler.batching().maxBatchSize();
      this.maxWeight = handler.batching().maxBatchWeight();
      this.rest = rest;
    }

    @Setup
    public void setup() {
      runner.setup();
    }

    @Teardown
    public void teardown() {
      runner.teardown();
    }

    @StartBundle
    public void startBundle() {
      pending = new HashMap<>();
    }

    @ProcessElement
    public void process(
        @Element I input,
        @Timestamp org.joda.time.Instant timestamp,
        BoundedWindow window,
        MultiOutputReceiver out) {
      long weight = Math.max(1L, handler.weigh(input));
      // Round robin spreads a bucket evenly over its shards; which shard an input lands in does
      // not matter, so a retried bundle may choose differently.
      int shard = shards == 1 ? 0 : next++ % shards;
      String key = (lengthBuckets ? "<=" + bucket(weight) : "all") + "#" + shard;
      Pending<I> batch = pending.computeIfAbsent(KV.of(key, window), k -> new Pending<>());
      if (!batch.inputs.isEmpty() && batch.weight + weight > maxWeight) {
        runner.process(KV.of(key, batch.take()), out);
      }
      batch.add(input, timestamp, weight);
      if (batch.inputs.size() >= maxSize || batch.weight >= maxWeight) {
        runner.process(KV.of(key, batch.take()), out);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<KV<String, BoundedWindow>, Pending<I>> e : pending.entrySet()) {
        Pending<I> batch = e.getValue();
        for (int i = 0; i < batch.inputs.size(); i++) {
          context.output(rest, KV.of(e.getKey().getKey(), batch.inputs.get(i)),
              batch.timestamps.get(i), e.getKey().getValue());
        }
      }
      pending = null;
    }
  }

  /** Inputs of one key and window waiting in a bundle. */
  private static final class Pending<I> {
    final List<I> inputs = new ArrayList<>();
    final List<org.joda.time.Instant> timestamps = new ArrayList<>();
    long weight;

    void add(I input, org.joda.time.Instant timestamp, long w) {
      inputs.add(input);
      timestamps.add(timestamp);
      weight += w;
    }

    List<I> take() {
      List<I> batch = new ArrayList<>(inputs);
      inputs.clear();
      timestamps.clear();
      weight = 0;
      return batch;
    }
  }

  static final class RunBatchFn<I, O, M extends AutoCloseable>
      extends DoFn<KV<String, Iterable<I>>, O> {
    final ModelHandler<I, O, M> handler;
    private final TupleTag<O> results;
    private final TupleTag<KV<I, String>> failures;
    private final Counter batches;
    private final Counter tokens;
    private final Counter failed;
    private final Counter batchRetries;
    private final Distribution batchSize;
    private final Distribution batchTokens;
    private final Distribution latencyMs;

    private transient M model;

    RunBatchFn(
        ModelHandler<I, O, M> handler,
        String metricPrefix,
        TupleTag<O> results,
        TupleTag<KV<I, String>> failures) {
      this.handler = handler;
      this.results = results;
      this.failures = failures;
      this.batches = Metrics.counter(METRICS_NAMESPACE, metricPrefix + "batches");
      this.tokens = Metrics.counter(METRICS_NAMESPACE, metricPrefix + "tokens");
      this.failed = Metrics.counter(METRICS_NAMESPACE, metricPrefix + "failures");
      this.batchRetries = Metrics.counter(METRICS_NAMESPACE, metricPrefix + "batch_retries");
      this.batchSize = Metrics.distribution(METRICS_NAMESPACE, metricPrefix + "batch_size");
      this.batchTokens = Metrics.distribution(METRICS_NAMESPACE, metricPrefix + "batch_tokens");
      this.latencyMs = Metrics.distribution(METRICS_NAMESPACE, metricPrefix + "batch_latency_ms");
    }

    @Setup
    public void setup() {
      model = handler.load();
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<I>> batch, MultiOutputReceiver out) {
      List<Weighed<I>> weighed = new ArrayList<>();
      long weight = 0;
      for (I input : batch.getValue()) {
        long w = Math.max(1L, handler.weigh(input));
        weighed.add(new Weighed<>(input, w));
        weight += w;
      }
      weighed.sort(Comparator.comparingLong(Weighed::weight)); // stable: ties keep their order
      List<I> inputs = new ArrayList<>(weighed.size());
      for (Weighed<I> w : weighed) {
        inputs.add(w.input());
      }
      batches.inc();
      tokens.inc(weight);
      batchSize.update(inputs.size());
      batchTokens.update(weight);
      try {
        List<O> outputs = runTimed(inputs);
        for (O o : outputs) {
          out.get(results).output(o);
        }
        return;
      } catch (Exception e) {
        if (inputs.size() == 1) {
          fail(inputs.get(0), e, out);
          return;
        }
      }
      // One input may have failed its batch: each input alone fails or succeeds on its own.
      batchRetries.inc();
      for (I input : inputs) {
        try {
          out.get(results).output(runTimed(List.of(input)).get(0));
        } catch (Exception e) {
          fail(input, e, out);
        }
      }
    }

    private List<O> runTimed(List<I> inputs) throws Exception {
      long start = System.nanoTime();
      List<O> outputs = handler.run(model, inputs);
      latencyMs.update((System.nanoTime() - start) / 1_000_000);
      if (outputs == null || outputs.size() != inputs.size()) {
        throw new IllegalStateException(
            "the model returned " + (outputs == null ? "nothing" : outputs.size() + " outputs")
                + " for " + inputs.size() + " inputs");
      }
      return outputs;
    }

    private void fail(I input, Exception e, MultiOutputReceiver out) {
      failed.inc();
      out.get(failures).output(KV.of(input, handler.describe(input) + ": " + describe(e)));
    }

    @Teardown
    public void teardown() {
      if (model != null) {
        model = null;
        handler.release();
      }
    }
  }

  /** A batch of one per input, straight through {@link RunBatchFn}'s model, metrics and retries. */
  static final class RunEachFn<I, O, M extends AutoCloseable> extends DoFn<I, O> {
    private final RunBatchFn<I, O, M> batchFn;

    RunEachFn(RunBatchFn<I, O, M> batchFn) {
      this.batchFn = batchFn;
    }

    @Setup
    public void setup() {
      batchFn.setup();
    }

    @ProcessElement
    public void process(@Element I input, MultiOutputReceiver out) {
      batchFn.process(KV.of("", List.of(input)), out);
    }

    @Teardown
    public void teardown() {
      batchFn.teardown();
    }
  }

  private record Weighed<I>(I input, long weight) {}

  /** The exception and its causes, class names and messages, e.g. for a failure's error. */
  static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null && s.length() < 600; t = t.getCause()) {
      if (s.length() > 0) {
        s.append(" <- ");
      }
      s.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) {
        s.append(": ").append(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return s.toString();
  }
}
