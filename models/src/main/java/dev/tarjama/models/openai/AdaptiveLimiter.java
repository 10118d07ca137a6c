package dev.tarjama.models.openai;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides when a backend's next HTTP request may go, without blocking the caller: {@link
 * #acquire} completes with a {@link Permit} once
 *
 * <ul>
 *   <li>fewer requests are in flight than the current limit. With AIMD on ({@code adaptive}), the
 *       limit starts at the configured concurrency (its maximum), is multiplied by {@value
 *       #DECREASE} when the server says it is overloaded (429 or 503; once per round of requests:
 *       answers to requests sent before the last decrease do not decrease it again) and grows by
 *       {@code 1/limit} per success (about one per round trip), never below 1;
 *   <li>the backend is not paused: a 429 or 503 with {@code Retry-After} pauses every send of
 *       this backend until then, not only the retry of that one request (the server told the
 *       client, not the request, to wait);
 *   <li>the tokens-per-minute and requests-per-minute budgets ({@link RateBudget}) hold the
 *       request's estimated tokens and one request.
 * </ul>
 *
 * Requests start in arrival order (a large request at the head is not overtaken by small ones,
 * so it cannot starve). The holder reports how the request went through its permit: success (with
 * the server's token usage, which corrects the estimate), overloaded, or another failure.
 *
 * <p>Thread-safe. Permits granted while releasing or on a timer are handed over on the scheduler
 * thread, so that a chain of fast completions does not grow the stack.
 */
final class AdaptiveLimiter {
  /** Multiplicative decrease on overload. */
  static final double DECREASE = 0.5;

  private final int max;
  private final boolean adaptive;
  private final RateBudget tokens;
  private final RateBudget requests;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier clock;

  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private double limit;
  private int running;
  private int maxRunning;
  private long epoch;
  private long decreases;
  private long pausedUntil;
  private boolean paused;
  private long pauses;
  private long wakeAt = Long.MAX_VALUE;

  private record Waiter(long tokens, CompletableFuture<Permit> future) {}

  /**
   * @param max the configured concurrency: the limit's start and ceiling
   * @param adaptive AIMD on overload; off: the limit stays at {@code max}
   * @param tokensPerMinute 0: no token budget
   * @param requestsPerMinute 0: no request budget
   */
  AdaptiveLimiter(
      int max,
      boolean adaptive,
      long tokensPerMinute,
      long requestsPerMinute,
      ScheduledExecutorService scheduler,
      LongSupplier clock) {
    if (max < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1: " + max);
    }
    this.max = max;
    this.adaptive = adaptive;
    this.scheduler = scheduler;
    this.clock = clock;
    long now = clock.getAsLong();
    this.tokens = tokensPerMinute > 0 ? new RateBudget(tokensPerMinute, now) : null;
    this.requests = requestsPerMinute > 0 ? new RateBudget(requestsPerMinute, now) : null;
    this.limit = max;
  }

  /** A permit for one request of about {@code tokenEstimate} tokens, when it may go. */
  CompletableFuture<Permit> acquire(long tokenEstimate) {
    CompletableFuture<Permit> future = new CompletableFuture<>();
    List<Runnable> ready;
    synchronized (this) {
      waiting.add(new Waiter(Math.max(0, tokenEstimate), future));
      ready = admit();
    }
    // On the caller's thread: the caller is not inside a completion chain.
    ready.forEach(Runnable::run);
    return future;
  }

  /** What a request holds while it is in flight; release it exactly once. */
  final class Permit {
    private final long permitEpoch;
    private final long tokenEstimate;
    private boolean released;

    private Permit(long permitEpoch, long tokenEstimate) {
      this.permitEpoch = permitEpoch;
      this.tokenEstimate = tokenEstimate;
    }

    /** The server answered: the limit grows, the token estimate becomes {@code usedTokens}. */
    void succeeded(long usedTokens) {
      release(this, Outcome.SUCCESS, null, usedTokens);
    }

    /**
     * The server is overloaded (429, 503): the limit shrinks, and with a {@code retryAfter} every
     * send waits until then. A 429 consumed no tokens: the estimate is given back.
     */
    void overloaded(Duration retryAfter, boolean refundTokens) {
      release(this, refundTokens ? Outcome.OVERLOADED_REFUND : Outcome.OVERLOADED, retryAfter,
          0);
    }

    /** Any other failure: the slot is freed, the limit and the tokens stay as they are. */
    void failed() {
      release(this, Outcome.OTHER, null, 0);
    }
  }

  private enum Outcome {
    SUCCESS,
    OVERLOADED,
    OVERLOADED_REFUND,
    OTHER
  }

  private void release(Permit permit, Outcome outcome, Duration retryAfter, long usedTokens) {
    List<Runnable> ready;
    synchronized (this) {
      if (permit.released) {
        return;
      }
      permit.released = true;
      running--;
      long now = clock.getAsLong();
      switch (outcome) {
        case SUCCESS -> {
          if (adaptive) {
            limit = Math.min(max, limit + 1.0 / limit);
          }
          if (tokens != null) {
            tokens.give(permit.tokenEstimate - usedTokens, now);
          }
        }
        case OVERLOADED, OVERLOADED_REFUND -> {
          if (adaptive && permit.permitEpoch == epoch) {
            limit = Math.max(1.0, limit * DECREASE);
            epoch++;
            decreases++;
          }
          if (outcome == Outcome.OVERLOADED_REFUND && tokens != null) {
            tokens.give(permit.tokenEstimate, now);
          }
          if (retryAfter != null && !retryAfter.isNegative() && !retryAfter.isZero()) {
            long until = now + retryAfter.toNanos();
            if (!paused || until - pausedUntil > 0) {
              pausedUntil = until;
              paused = true;
              pauses++;
            }
          }
        }
        case OTHER -> {}
      }
      ready = admit();
    }
    handOver(ready);
  }

  /** Starts what may start now; schedules a wake-up for what waits on time. Holds the lock. */
  private List<Runnable> admit() {
    List<Runnable> ready = new ArrayList<>();
    while (!waiting.isEmpty()) {
      if (running >= currentLimit()) {
        break;
      }
      Waiter head = waiting.peek();
      long now = clock.getAsLong();
      long wait = 0;
      if (paused) {
        if (pausedUntil - now > 0) {
          wait = pausedUntil - now;
        } else {
          paused = false;
        }
      }
      if (wait == 0 && tokens != null) {
        wait = tokens.waitNanos(head.tokens(), now);
      }
      if (wait == 0 && requests != null) {
        wait = requests.waitNanos(1, now);
      }
      if (wait > 0 && wakeUp(now + wait)) {
        break;
      }
      waiting.poll();
      if (tokens != null) {
        tokens.take(head.tokens(), now);
      }
      if (requests != null) {
        requests.take(1, now);
      }
      running++;
      maxRunning = Math.max(maxRunning, running);
      Permit permit = new Permit(epoch, head.tokens());
      ready.add(() -> {
        if (!head.future().complete(permit)) {
          permit.failed(); // nobody will use it
        }
      });
    }
    return ready;
  }

  /**
   * Arranges for {@link #admit} to run again at {@code at}; false when no timer can be set (the
   * client is closing): then the request goes now rather than never.
   */
  private boolean wakeUp(long at) {
    if (wakeAt != Long.MAX_VALUE && wakeAt - at <= 0) {
      return true; // an earlier or equal wake-up is already set
    }
    try {
      long delay = Math.max(0, at - clock.getAsLong());
      scheduler.schedule(this::wake, delay, TimeUnit.NANOSECONDS);
      wakeAt = at;
      return true;
    } catch (RejectedExecutionException closed) {
      return false;
    }
  }

  private void wake() {
    List<Runnable> ready;
    synchronized (this) {
      wakeAt = Long.MAX_VALUE;
      ready = admit();
    }
    ready.forEach(Runnable::run); // already on the scheduler thread
  }

  private void handOver(List<Runnable> ready) {
    for (Runnable r : ready) {
      try {
        scheduler.execute(r);
      } catch (RejectedExecutionException closed) {
        r.run(); // the client is closing: still start what was admitted, so no future hangs
      }
    }
  }

  private int currentLimit() {
    return Math.max(1, (int) Math.floor(limit));
  }

  /** The limit now: the most requests that may be in flight. */
  synchronized int limit() {
    return currentLimit();
  }

  /** The limit now, with its fraction (additive increase moves it by 1/limit). */
  synchronized double exactLimit() {
    return limit;
  }

  synchronized int running() {
    return running;
  }

  synchronized int queued() {
    return waiting.size();
  }

  synchronized int maxRunning() {
    return maxRunning;
  }

  /** How often overload made the limit shrink. */
  synchronized long decreases() {
    return decreases;
  }

  /** How often a Retry-After paused (or extended a pause of) every send. */
  synchronized long pauses() {
    return pauses;
  }

  /** Whether sends are paused by a Retry-After now. */
  synchronized boolean isPaused() {
    return paused && pausedUntil - clock.getAsLong() > 0;
  }
}
