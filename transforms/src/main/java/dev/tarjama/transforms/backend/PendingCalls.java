package dev.tarjama.transforms.backend;

import dev.tarjama.models.openai.BackendException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiFunction;

/**
 * The asynchronous calls a DoFn has started within one bundle, whose results it emits as they
 * complete: a DoFn that calls a server (the translation calls, the judge) keeps up to the
 * backend's concurrency in flight instead of waiting per element, emits finished results from
 * {@code @ProcessElement}, and the rest from {@code @FinishBundle}. One per bundle, used from the
 * DoFn's thread; results are queued from the calls' threads.
 *
 * @param <T> a finished call, as the DoFn wants to emit it
 */
public final class PendingCalls<T> {
  /** Emits one finished call. */
  public interface Emitter<T> {
    void emit(T result);
  }

  private final LinkedBlockingQueue<T> done = new LinkedBlockingQueue<>();
  private int inFlight;

  /**
   * Emits every call that has finished; first, while {@code limit} calls are in flight, waits for
   * one to finish (back-pressure only when this bundle uses up the backend's concurrency).
   */
  public void makeRoom(int limit, Emitter<T> emitter) throws InterruptedException {
    while (inFlight >= limit) {
      take(emitter);
    }
    for (T result = done.poll(); result != null; result = done.poll()) {
      inFlight--;
      emitter.emit(result);
    }
  }

  /**
   * Tracks a started call: when it completes, {@code result} (run on the completing thread; it
   * must not throw, or the bundle would wait for it forever) makes what {@link #makeRoom} and
   * {@link #drain} emit. A call that threw before returning a future is not tracked.
   */
  public <R> void add(CompletableFuture<R> call, BiFunction<R, Throwable, T> result) {
    call.whenComplete((value, error) -> done.add(result.apply(value, error)));
    inFlight++;
  }

  /** Waits for and emits every call still in flight (at {@code @FinishBundle}). */
  public void drain(Emitter<T> emitter) throws InterruptedException {
    while (inFlight > 0) {
      take(emitter);
    }
  }

  private void take(Emitter<T> emitter) throws InterruptedException {
    T result = done.take();
    inFlight--;
    emitter.emit(result);
  }

  /**
   * What a failed call says, for a dead letter: a {@link BackendException}'s message (the HTTP
   * status or timeout and an excerpt, the API key redacted) and its attempts; for anything else
   * only the exception's kind (it did not come from the HTTP exchange, so nothing in it is known
   * to be safe to print) and 0 attempts.
   */
  public record Failure(String message, int attempts) {
    public static Failure of(Throwable error) {
      Throwable e = error;
      while (e instanceof CompletionException && e.getCause() != null) {
        e = e.getCause();
      }
      if (e instanceof BackendException be) {
        return new Failure(be.getMessage(), be.attempts());
      }
      return new Failure(e.getClass().getSimpleName(), 0);
    }
  }
}
