package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.openai.Completion;
import java.util.Map;

/**
 * What {@link CallBackend} asks a backend for one input, and what the input becomes with the
 * answer: the request, its cache entries and the outputs; the calling itself (client, calls in
 * flight, cache, spending, metrics) is {@link CallBackend}'s. Translation ({@code
 * translate.ChunkCall}) and the judge ({@code judge.PairJudgement}) are the two kinds.
 *
 * <p>The hooks run in the calling DoFn's {@code @ProcessElement} or {@code @FinishBundle}, except
 * {@link #entries} and {@link #arrived}, which run on the HTTP client's thread when the answer
 * arrives (they must not throw).
 */
public interface BackendCall<InputT, OutputT> extends CachedAnswers<InputT, OutputT> {
  /** The backend asked: its configuration (client, concurrency), name, prices. */
  BackendSpec backend();

  /** The prompt sent for {@code input}. */
  String request(InputT input);

  /** The completion tokens {@code input}'s n answers are expected to take (the spending limit). */
  long expectedTokensOut(InputT input);

  /**
   * What to store for the answer to the request keyed by {@code cacheText} ({@link #cacheText}
   * of its input): exactly what {@link #stored} turns back into it.
   */
  Map<CacheKey, CachedTranslation> entries(String cacheText, Completion completion);

  /** The outputs of {@code input} answered by its own call. */
  void answered(InputT input, Completion completion, Emitter out);

  /**
   * The outputs of {@code input} given an identical request's answer ({@link CallBackend}'s
   * sharing): its completion, or ({@code completion} null) its answers as stored. The answer is
   * counted by the request that paid for it, so a copy counts as savings only.
   */
  void copied(InputT input, Completion completion, BackendCaching.Stored stored, Emitter out);

  /** The outputs of {@code input} whose call failed for good; {@code error} says why. */
  void failed(InputT input, String error, Emitter out);

  /** The outputs of {@code input} when the identical request it waited for failed. */
  default void copyFailed(InputT input, String error, Emitter out) {
    failed(input, error, out);
  }

  /**
   * The outputs of {@code input} that the spending limit did not let go ({@code exhaustion} says
   * what is spent); by default a failure saying so.
   */
  default void refused(InputT input, String exhaustion, Emitter out) {
    failed(input, "backend " + backend().name() + ": " + exhaustion + "; not sent", out);
  }

  /** On the HTTP client's thread when a call of this kind ends ({@code error} null: answered). */
  default void arrived(Completion completion, Throwable error) {}

  /** Whether the run's live counts of requests ({@code report.LiveCounts}) count these calls. */
  default boolean countsLiveRequests() {
    return false;
  }
}
