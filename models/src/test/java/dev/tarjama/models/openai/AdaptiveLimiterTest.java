package dev.tarjama.models.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limiter's arithmetic and its timers, without HTTP (the transforms tests add a server). */
class AdaptiveLimiterTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static AdaptiveLimiter.Permit now(CompletableFuture<AdaptiveLimiter.Permit> f) {
    assertTrue(f.isDone(), "the permit should have been granted at once");
    return f.join();
  }

  @Test
  void inFlightNeverExceedsTheLimitWhichHalvesOncePerRoundAndGrowsBack() throws Exception {
    AdaptiveLimiter limiter =
        new AdaptiveLimiter(16, true, 0, 0, scheduler, System::nanoTime);
    List<CompletableFuture<AdaptiveLimiter.Permit>> first = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(limiter.acquire(10));
    }
    assertEquals(16, limiter.running());
    assertEquals(4, limiter.queued());

    // Every one of the 16 is answered 429: one round of requests, one decrease (not 16).
    for (int i = 0; i < 16; i++) {
      int before = limiter.running();
      now(first.get(i)).overloaded(null, true);
      // Requests sent before the decrease may stay above the new limit; none is added to them.
      assertTrue(limiter.running() <= Math.max(before - 1, limiter.limit()),
          "a request started above the limit");
    }
    assertEquals(1, limiter.decreases());
    assertEquals(8, limiter.limit());
    // The 4 queued ones went out under the new limit.
    assertEquals(4, limiter.running());

    // A 429 to a request sent after the decrease decreases again.
    List<CompletableFuture<AdaptiveLimiter.Permit>> second = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      second.add(limiter.acquire(10));
    }
    assertEquals(8, limiter.running());
    now(second.get(0)).overloaded(null, true);
    assertEquals(2, limiter.decreases());
    assertEquals(4, limiter.limit());
    assertEquals(7, limiter.running(), "nothing starts while above the new limit");

    // Decreases stop at 1.
    for (int i = 16; i < 20; i++) {
      // Granted on the limiter's thread when slots freed up: wait for the hand-over.
      first.get(i).get(5, TimeUnit.SECONDS).failed(); // other failures leave the limit alone
    }
    assertEquals(4, limiter.limit());
    for (int i = 1; i < 4; i++) {
      now(second.get(i)).failed();
    }
    assertEquals(0, limiter.running());
    for (int round = 0; round < 5; round++) {
      limiter.acquire(1).join().overloaded(null, false);
    }
    assertEquals(1, limiter.limit());

    // Additive increase: +1/limit per success, about one per round trip, up to the ceiling.
    int successes = 0;
    while (limiter.limit() < 16) {
      limiter.acquire(1).join().succeeded(1);
      successes++;
      assertTrue(successes < 1000, "the limit did not recover");
    }
    // From 1 to 16 takes about (16² - 1²) / 2 successes.
    assertTrue(successes > 100 && successes < 140, "successes " + successes);
    for (int i = 0; i < 100; i++) {
      limiter.acquire(1).join().succeeded(1);
    }
    assertEquals(16, limiter.limit(), "never above the configured concurrency");
    assertEquals(16, limiter.maxRunning());
  }

  @Test
  void withoutAdaptationTheLimitStaysAtTheConcurrency() {
    AdaptiveLimiter limiter = new AdaptiveLimiter(4, false, 0, 0, scheduler, System::nanoTime);
    for (int i = 0; i < 10; i++) {
      limiter.acquire(1).join().overloaded(null, false);
    }
    assertEquals(4, limiter.limit());
    assertEquals(0, limiter.decreases());
  }

  @Test
  void retryAfterPausesEverySendNotOnlyTheRetriedOne() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(8, true, 0, 0, scheduler, System::nanoTime);
    AdaptiveLimiter.Permit a = now(limiter.acquire(1));
    long start = System.nanoTime();
    a.overloaded(Duration.ofMillis(300), true);
    assertTrue(limiter.isPaused());
    assertEquals(1, limiter.pauses());
    // Room for 4 in flight, yet nothing goes until the pause is over.
    CompletableFuture<AdaptiveLimiter.Permit> b = limiter.acquire(1);
    CompletableFuture<AdaptiveLimiter.Permit> c = limiter.acquire(1);
    assertFalse(b.isDone());
    AdaptiveLimiter.Permit pb = b.get(5, TimeUnit.SECONDS);
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs >= 290, "went after " + waitedMs + " ms");
    c.get(5, TimeUnit.SECONDS);
    assertFalse(limiter.isPaused());
    pb.succeeded(1);
  }

  @Test
  void theTokenBudgetSpacesRequestsAndUsageCorrectsTheEstimate() throws Exception {
    // 600 tokens a minute: 10 a second, a bucket of 100 (ten seconds' worth).
    AtomicLong clock = new AtomicLong(0);
    AdaptiveLimiter limiter = new AdaptiveLimiter(16, true, 600, 0, scheduler, clock::get);
    AdaptiveLimiter.Permit first = now(limiter.acquire(60));
    CompletableFuture<AdaptiveLimiter.Permit> second = limiter.acquire(60);
    assertFalse(second.isDone(), "60 + 60 tokens exceed a bucket of 100");
    // The first request really used 10 tokens: 50 come back, and the second fits.
    first.succeeded(10);
    second.get(5, TimeUnit.SECONDS);
    assertEquals(1, limiter.running());

    // Refill by time: 4 seconds later 40 more tokens are there.
    CompletableFuture<AdaptiveLimiter.Permit> third = limiter.acquire(40);
    assertFalse(third.isDone());
    clock.addAndGet(4_000_000_000L);
    third.get(5, TimeUnit.SECONDS); // the limiter's timer saw the clock move
  }

  @Test
  void theRequestBudgetHoldsAtMostItsBurstAtOnce() {
    // 60 requests a minute: a burst of 10, then one a second.
    AtomicLong clock = new AtomicLong(0);
    AdaptiveLimiter limiter = new AdaptiveLimiter(64, true, 0, 60, scheduler, clock::get);
    int granted = 0;
    List<CompletableFuture<AdaptiveLimiter.Permit>> all = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      CompletableFuture<AdaptiveLimiter.Permit> f = limiter.acquire(1);
      all.add(f);
      if (f.isDone()) {
        granted++;
      }
    }
    assertEquals(10, granted);
    assertEquals(5, limiter.queued());
  }

  @Test
  void aRateBudgetRefillsContinuouslyAndLetsAnOversizedRequestGoWhenFull() {
    RateBudget budget = new RateBudget(6_000, 0); // 100 a second, bucket 1,000
    assertEquals(1_000, budget.capacity(), 1e-9);
    assertEquals(0, budget.waitNanos(1_000, 0));
    budget.take(1_000, 0);
    assertEquals(500_000_000L, budget.waitNanos(50, 0), 1_000);
    assertEquals(50, budget.level(500_000_000L), 1e-6);
    // 5,000 tokens never fit in 1,000: it may go once the bucket is full, leaving a debt.
    assertEquals(9_500_000_000L, budget.waitNanos(5_000, 500_000_000L), 1_000);
    budget.take(5_000, 10_000_000_000L);
    assertEquals(-4_000, budget.level(10_000_000_000L), 1e-6);
    budget.give(10_000, 10_000_000_000L);
    assertEquals(1_000, budget.level(10_000_000_000L), 1e-6, "never above the capacity");
  }
}
