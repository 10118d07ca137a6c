package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.backend.InFlightRequests;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Deduplication without a barrier: an API backend's identical requests in this worker JVM are
 * one call, and a request whose answer this run already stored is not sent again. Used by {@link
 * TranslateChunks}' API branches when a cache is set (the cache holds what was answered, {@link
 * InFlightRequests} what is being answered), instead of grouping every chunk by text before the
 * first call ({@link DeduplicateChunks}).
 *
 * <p>For a chunk: when an identical request (same backend configuration, label, k, cache key) is
 * in flight, its answer; otherwise the cache is read once more (an identical chunk that missed
 * the lookup with this one may have been answered since) and only then is the backend called.
 * The answer is stored before the request leaves the registry, so that no identical chunk falls
 * between the two. Across a cluster the shared cache (Redis) does the rest.
 *
 * <p>A {@link Call} says whether this chunk pays for its call ({@link Call#paid}); any other
 * answer is a copy, counted as dedupe savings, never as tokens spent. Failures are shared like
 * answers: the attached chunks fail with the same error.
 */
public final class SharedTranslations {
  /** One request of one backend: equal keys ask the same server the same thing. */
  record Key(BackendConfig config, String label, int k, CacheKey key) {}

  /** A chunk's answer, and whether this chunk's own call makes it (false: a copy). */
  public record Call(CompletableFuture<Answer> answer, boolean paid) {}

  /** What a request got: the backend's completion, or the k candidates as the cache holds them. */
  public record Answer(Completion completion, BackendCaching.Stored stored) {
    static Answer of(Completion c) {
      return new Answer(c, null);
    }
  }

  private static final InFlightRequests<Key, Answer> IN_FLIGHT = new InFlightRequests<>();

  private final BackendConfig config;
  private final String label;
  private final int k;
  private final CacheKeyspace keyspace;
  private final CacheKeyspace truncated;

  SharedTranslations(
      BackendConfig config, String label, int k, CacheKeyspace keyspace, CacheKeyspace truncated) {
    this.config = config;
    this.label = label;
    this.k = k;
    this.keyspace = keyspace;
    this.truncated = truncated;
  }

  /** The registry of this JVM, for tests. */
  static InFlightRequests<Key, Answer> inFlight() {
    return IN_FLIGHT;
  }

  /**
   * {@code chunk}'s answer: shared with an identical request in flight, read from {@code cache},
   * or from {@code call} (then stored with {@code store} before identical chunks stop waiting).
   * {@code call} and {@code store} run only when this chunk pays.
   */
  public Call translate(
      Chunk chunk,
      TranslationCache cache,
      Supplier<CompletableFuture<Completion>> call,
      BiConsumer<Chunk, Completion> store) {
    boolean[] paid = {false};
    InFlightRequests.Ticket<Answer> ticket =
        IN_FLIGHT.join(
            new Key(config, label, k, keyspace.key(0, chunk.text())),
            () -> {
              Answer stored = stored(cache, chunk.text());
              if (stored != null) {
                return CompletableFuture.completedFuture(stored);
              }
              paid[0] = true;
              return call.get().thenApply(c -> {
                store.accept(chunk, c);
                return Answer.of(c);
              });
            });
    return new Call(ticket.answer(), ticket.first() && paid[0]);
  }

  /** All k candidates of {@code text} as stored (good or cut); or null. */
  Answer stored(TranslationCache cache, String text) {
    List<CacheKey> good = BackendCaching.keys(keyspace, text, k);
    List<CacheKey> cut = BackendCaching.keys(truncated, text, k);
    List<CacheKey> all = new ArrayList<>(good);
    all.addAll(cut);
    BackendCaching.Stored stored;
    try {
      stored = BackendCaching.stored(cache.getAll(all), good, cut);
    } catch (RuntimeException e) {
      return null; // the lookup counted its own errors; asking the backend is always safe
    }
    return stored == null ? null : new Answer(null, stored);
  }

  /**
   * The k candidates {@code answer} gives {@code chunk}: what a call's completion gives it (edge
   * whitespace the chunk's, usage spread over the candidates), or exactly what the cache holds;
   * cut ones marked {@link ChunkTranslation#truncated()}.
   */
  List<ChunkTranslation> candidates(Chunk chunk, Answer answer) {
    if (answer.stored() != null) {
      return answer.stored().of(chunk, label);
    }
    return CompletionCandidates.of(chunk, label, k, answer.completion());
  }
}
