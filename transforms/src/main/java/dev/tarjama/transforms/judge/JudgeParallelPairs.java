package dev.tarjama.transforms.judge;

import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SharedClients;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CallBackend;
import dev.tarjama.transforms.backend.CallOptions;
import dev.tarjama.transforms.domain.DeadLetter;
import java.util.Objects;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

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
 * per bundle, each retried per the backend's {@code retries}/{@code backoff}: a {@link
 * CallBackend} of {@link PairJudgement}s. What is sent is exactly {@link JudgeRequest#of}
 * (config, prompt, pair), n = 1, so a content-addressed cache can answer it.
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
 * judge/undecided}, {@code judge/failures}, {@code judge/cache_hits}, {@code judge/cache_misses},
 * {@code judge/cache_errors}; distribution {@code judge/latency_ms}.
 */
public final class JudgeParallelPairs
    extends PTransform<PCollection<ParallelPair>, PCollectionTuple> {
  public static final TupleTag<JudgedPair> ACCEPTED = new TupleTag<>() {};
  public static final TupleTag<JudgedPair> REJECTED = new TupleTag<>() {};
  public static final TupleTag<JudgedPair> UNDECIDED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  public static final String STAGE = "judge";

  private final BackendSpec backend;
  private final JudgePrompt prompt;
  private final CallOptions options;

  private JudgeParallelPairs(BackendSpec backend, JudgePrompt prompt, CallOptions options) {
    this.backend = backend;
    this.prompt = prompt;
    this.options = options;
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
    return new JudgeParallelPairs(backend, JudgePrompt.strict(), CallOptions.defaults());
  }

  /** Another prompt template than the shipped {@code strict} one. */
  public JudgeParallelPairs withPrompt(JudgePrompt prompt) {
    return new JudgeParallelPairs(backend, Objects.requireNonNull(prompt), options);
  }

  /**
   * Spreads pairs over this many keys before the calls (0, the default: one random key per pair).
   * The DirectRunner makes one bundle per key, so few keys keep many requests in flight there.
   */
  public JudgeParallelPairs withShuffleBuckets(int buckets) {
    return new JudgeParallelPairs(backend, prompt, options.withShuffleBuckets(buckets));
  }

  /**
   * Looks every request up in, and stores every answer in, the cache at {@code uri} (the same
   * stores and URIs as translation: {@code sqlite:PATH}, {@code redis://…}, {@code none}, the
   * default). The key is the translation cache's, over the backend's protocol (prefixed {@code
   * judge/}), model and decoding settings and the rendered prompt; failures are not stored.
   */
  public JudgeParallelPairs withCache(String uri) {
    return new JudgeParallelPairs(backend, prompt, options.withCache(uri));
  }

  public BackendSpec backend() {
    return backend;
  }

  public JudgePrompt prompt() {
    return prompt;
  }

  /** A counter's name, e.g. {@code judge/api_calls} (made by {@link BackendMetrics}). */
  public static String metricName(String metric) {
    return BackendMetrics.judge().name(metric);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    DisplayValues.backend(builder, backend);
    builder.add(DisplayData.item("prompt", prompt.name()).withLabel("Judge prompt"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(options.cacheUri()))
        .withLabel("Cache"));
    builder.addIfNotDefault(
        DisplayData.item("shuffleBuckets", options.shuffleBuckets()).withLabel("Shuffle buckets"), 0);
  }

  @Override
  public PCollectionTuple expand(PCollection<ParallelPair> pairs) {
    return pairs.apply("Judge with " + backend.name(),
        CallBackend.of(new PairJudgement(backend, prompt)).withOptions(options));
  }
}
