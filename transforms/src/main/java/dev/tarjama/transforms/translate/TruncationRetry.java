package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CallBackend;
import dev.tarjama.transforms.backend.ChunkAnswers;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.ModelCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The one retry of an API backend's chunks whose answer stopped at the length limit ({@code
 * finish_reason: length}): each chunk is asked again, all k candidates, with {@link
 * BackendSpec#retryMaxTokens() more room} (twice {@code max-tokens}, or {@value
 * BackendSpec#RETRY_MAX_TOKENS_UNSET} when unset). The retry is the same backend with another
 * {@code max_tokens}, so its answers have cache keys of their own, and its calls, tokens and spend
 * count as the backend's.
 *
 * <p>Input: the chunks {@link TranslateChunks} found cut ({@link #TO_RETRY}, or a cache lookup's
 * {@link ChunkAnswers#CUT} on a rerun). Outputs, as {@link TranslateChunks}': {@link
 * TranslateChunks#TRANSLATIONS} (k per chunk; a candidate still cut after the retry is kept but
 * {@link ChunkTranslation#truncated() marked}, which reassembly fails with the reason {@code
 * truncated}) and {@link TranslateChunks#FAILURES} (the retry's request failed for good, or the
 * budget refused it). With a cache the retry is looked up first ({@link ChunkAnswers#ofRetry}) and
 * stored as it arrives, its cut answers under the truncated keyspace: a rerun sends nothing.
 *
 * <p>Metrics, namespace {@code tarjama}, per backend label: {@code truncation_retries} (chunks
 * retried, from the cache or sent), {@code truncated_after_retry} (candidates still cut), plus the
 * backend's usual call and token counters.
 */
public final class TruncationRetry extends PTransform<PCollection<Chunk>, PCollectionTuple> {

  /** Chunks of a backend's first pass whose answer was cut: they go to this retry. */
  public static final TupleTag<Chunk> TO_RETRY = ChunkAnswers.CUT;

  private final ApiBranch branch;

  private TruncationRetry(ApiBranch branch) {
    this.branch = branch;
  }

  /**
   * The retry of an API backend's cut chunks, cached at the branch's cache (or none) and within
   * its spending limit; with {@code share} (and a cache), identical retries in flight are one
   * call ({@link dev.tarjama.transforms.backend.SharedCalls}).
   */
  static TruncationRetry of(ApiBranch branch) {
    BackendSpec backend = branch.backend();
    if (backend.isLocal()) {
      throw new IllegalArgumentException(
          "backend " + backend.name() + " is local: its length limit is the model's own");
    }
    return new TruncationRetry(branch);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    DisplayValues.backend(builder, branch.backend().forTruncationRetry());
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(branch.cacheUri()))
        .withLabel("Cache"));
    builder.add(DisplayData.item("shareInFlight", branch.share())
        .withLabel("Identical retries in flight sent once"));
  }

  @Override
  public PCollectionTuple expand(PCollection<Chunk> cut) {
    BackendSpec backend = branch.backend();
    String cacheUri = branch.cacheUri();
    BackendSpec retry = backend.forTruncationRetry();
    PCollection<Chunk> toSend =
        cut.apply("Count retries", ParDo.of(new CountRetriesFn(backend.label())))
            .setCoder(cut.getCoder());
    // The retried chunks come out of the first pass's calls, already spread over the workers.
    PCollectionTuple sent =
        toSend.apply(
            "Translate with more room",
            CallBackend.of(ChunkCall.retry(retry))
                .withCache(cacheUri)
                .withSpendingLimit(branch.spendingLimit())
                .sharingIdenticalRequests(branch.share())
                .withoutReshuffle());
    return PCollectionTuple.of(TranslateChunks.TRANSLATIONS, sent.get(TranslateChunks.TRANSLATIONS))
        .and(TranslateChunks.FAILURES, sent.get(TranslateChunks.FAILURES));
  }

  /** Counts each chunk retried. */
  static final class CountRetriesFn extends DoFn<Chunk, Chunk> {
    private final Counter retries;

    CountRetriesFn(String label) {
      this.retries = BackendMetrics.translation(label).counter("truncation_retries");
    }

    @ProcessElement
    public void process(@Element Chunk chunk, OutputReceiver<Chunk> out) {
      retries.inc();
      out.output(chunk);
    }
  }
}
