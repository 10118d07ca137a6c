package dev.tarjama.transforms.backend;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The requests in flight in this JVM, by key, so that identical requests made at the same time
 * wait for one answer: the first caller of a key starts the call, every later caller of that key
 * attaches to its future until it completes. An entry holds a count of its callers (the first
 * one and those attached) and is released the moment its call completes, before any caller sees
 * the answer, so that a caller arriving later starts afresh (and finds the answer where the call
 * left it, e.g. in the translation cache). Nothing is kept once a call is done.
 *
 * <p>Thread-safe; the calls' futures may complete on any thread. A call that throws before
 * returning a future fails its attached callers with that exception and is released.
 *
 * @param <K> what identifies a request (equal keys: the same answer)
 * @param <V> the answer
 */
public final class InFlightRequests<K, V> {
  /** A caller's share of a call: its answer, and whether this caller started it. */
  public record Ticket<V>(CompletableFuture<V> answer, boolean first) {}

  private static final class Entry<V> {
    final CompletableFuture<V> answer = new CompletableFuture<>();
    final AtomicInteger callers = new AtomicInteger(1);
  }

  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

  /**
   * The answer to {@code key}: the call in flight for it if there is one, else the one {@code
   * call} starts now (on this thread).
   */
  public Ticket<V> join(K key, Supplier<CompletableFuture<V>> call) {
    Objects.requireNonNull(key);
    Entry<V> mine = new Entry<>();
    Entry<V> found = entries.putIfAbsent(key, mine);
    if (found != null) {
      found.callers.incrementAndGet();
      return new Ticket<>(found.answer, false);
    }
    CompletableFuture<V> started;
    try {
      started = Objects.requireNonNull(call.get(), "a call returned no future");
    } catch (RuntimeException e) {
      entries.remove(key, mine);
      mine.answer.completeExceptionally(e);
      throw e;
    }
    started.whenComplete(
        (value, error) -> {
          // Released first: whoever asks after the answer is out starts a call of its own.
          entries.remove(key, mine);
          if (error != null) {
            mine.answer.completeExceptionally(error);
          } else {
            mine.answer.complete(value);
          }
        });
    return new Ticket<>(mine.answer, true);
  }

  /** The keys with a call in flight now. */
  public int inFlight() {
    return entries.size();
  }

  /** How many callers share the call in flight for {@code key} (0: none in flight). */
  public int callers(K key) {
    Entry<V> e = entries.get(key);
    return e == null ? 0 : e.callers.get();
  }
}
