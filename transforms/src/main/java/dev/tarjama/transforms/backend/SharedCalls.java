package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Deduplication without a barrier: a backend's identical requests in this worker JVM are one
 * call, and a request whose answer this run already stored is not sent again. Used by {@link
 * CallBackend} when a cache is set and sharing is asked for (the cache holds what was answered,
 * {@link InFlightRequests} what is being answered), instead of grouping every input by text
 * before the first call (translation's {@code DeduplicateChunks}).
 *
 * <p>For an input: when an identical request (same backend configuration, metrics, n, cache key)
 * is in flight, its answer; otherwise the cache is read once more (an identical input that missed
 * the lookup with this one may have been answered since) and only then is the backend called.
 * The answer is stored before the request leaves the registry, so that no identical input falls
 * between the two. Across a cluster the shared cache (Redis) does the rest.
 *
 * <p>A {@link Call} says whether this input pays for its call ({@link Call#paid}); any other
 * answer is a copy, counted as dedupe savings, never as tokens spent. Failures are shared like
 * answers: the attached inputs fail with the same error.
 */
public final class SharedCalls {
  /** One request of one backend: equal keys ask the same server the same thing. */
  record Key(BackendConfig config, String metrics, int n, CacheKey key) {}

  /** An input's answer, and whether this input's own call makes it (false: a copy). */
  public record Call(CompletableFuture<Answer> answer, boolean paid) {}

  /** What a request got: the backend's completion, or the n answers as the cache holds them. */
  public record Answer(Completion completion, BackendCaching.Stored stored) {
    static Answer of(Completion c) {
      return new Answer(c, null);
    }
  }

  private static final InFlightRequests<Key, Answer> IN_FLIGHT = new InFlightRequests<>();

  private final BackendConfig config;
  private final CachedAnswers<?, ?> answers;

  SharedCalls(BackendConfig config, CachedAnswers<?, ?> answers) {
    this.config = config;
    this.answers = answers;
  }

  /** The registry of this JVM, for tests. */
  public static InFlightRequests<Key, Answer> inFlight() {
    return IN_FLIGHT;
  }

  /**
   * The answer to the request keyed by {@code text}: shared with an identical request in flight,
   * read from {@code cache}, or from {@code call} (then given to {@code store} before identical
   * inputs stop waiting). {@code call} and {@code store} run only when this input pays.
   */
  Call call(
      String text,
      TranslationCache cache,
      Supplier<CompletableFuture<Completion>> call,
      Consumer<Completion> store) {
    boolean[] paid = {false};
    InFlightRequests.Ticket<Answer> ticket =
        IN_FLIGHT.join(
            new Key(config, answers.metrics().prefix(), answers.n(),
                answers.keyspace().key(0, text)),
            () -> {
              Answer stored = stored(cache, text);
              if (stored != null) {
                return CompletableFuture.completedFuture(stored);
              }
              paid[0] = true;
              return call.get().thenApply(c -> {
                store.accept(c);
                return Answer.of(c);
              });
            });
    return new Call(ticket.answer(), ticket.first() && paid[0]);
  }

  /** All n answers of {@code text} as stored (good or cut); or null. */
  private Answer stored(TranslationCache cache, String text) {
    List<CacheKey> good = BackendCaching.keys(answers.keyspace(), text, answers.n());
    List<CacheKey> cut = answers.truncatedKeyspace() == null ? null
        : BackendCaching.keys(answers.truncatedKeyspace(), text, answers.n());
    List<CacheKey> all = new ArrayList<>(good);
    if (cut != null) {
      all.addAll(cut);
    }
    BackendCaching.Stored stored;
    try {
      stored = BackendCaching.stored(cache.getAll(all), good, cut);
    } catch (RuntimeException e) {
      return null; // the lookup counted its own errors; asking the backend is always safe
    }
    return stored == null ? null : new Answer(null, stored);
  }
}
