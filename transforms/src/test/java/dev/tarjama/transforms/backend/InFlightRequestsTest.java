package dev.tarjama.transforms.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The JVM's registry of requests in flight: one call per key at a time, released when done. */
class InFlightRequestsTest {

  @Test
  void identicalRequestsInFlightShareOneCallAndLaterOnesCallAgain() throws Exception {
    InFlightRequests<String, String> registry = new InFlightRequests<>();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> server = new CompletableFuture<>();
    InFlightRequests.Ticket<String> first =
        registry.join("a", () -> { calls.incrementAndGet(); return server; });
    InFlightRequests.Ticket<String> second =
        registry.join("a", () -> { calls.incrementAndGet(); return new CompletableFuture<>(); });
    InFlightRequests.Ticket<String> other =
        registry.join("b", () -> { calls.incrementAndGet(); return CompletableFuture.completedFuture("B"); });
    assertTrue(first.first());
    assertFalse(second.first());
    assertTrue(other.first());
    assertEquals(2, calls.get(), "one call for a, one for b");
    assertEquals(2, registry.callers("a"));
    assertEquals(1, registry.inFlight(), "b is done and released");
    assertFalse(second.answer().isDone());

    server.complete("A");
    assertEquals("A", first.answer().get());
    assertEquals("A", second.answer().get());
    assertEquals(0, registry.inFlight(), "released when done");
    assertEquals(0, registry.callers("a"));

    InFlightRequests.Ticket<String> again =
        registry.join("a", () -> { calls.incrementAndGet(); return CompletableFuture.completedFuture("A2"); });
    assertTrue(again.first(), "a caller after the answer starts its own call");
    assertEquals("A2", again.answer().get());
    assertEquals(3, calls.get());
  }

  @Test
  void aFailureReachesEveryCallerAndIsReleased() {
    InFlightRequests<String, String> registry = new InFlightRequests<>();
    CompletableFuture<String> server = new CompletableFuture<>();
    InFlightRequests.Ticket<String> first = registry.join("a", () -> server);
    InFlightRequests.Ticket<String> second = registry.join("a", CompletableFuture::new);
    server.completeExceptionally(new IllegalStateException("503"));
    ExecutionException e1 = assertThrows(ExecutionException.class, () -> first.answer().get());
    ExecutionException e2 = assertThrows(ExecutionException.class, () -> second.answer().get());
    assertEquals("503", e1.getCause().getMessage());
    assertSame(e1.getCause(), e2.getCause());
    assertEquals(0, registry.inFlight());
  }

  @Test
  void aCallThatThrowsFailsItsCallerAndLeavesNothingBehind() {
    InFlightRequests<String, String> registry = new InFlightRequests<>();
    assertThrows(IllegalArgumentException.class, () -> registry.join("a", () -> {
      throw new IllegalArgumentException("bad request");
    }));
    assertEquals(0, registry.inFlight());
    assertTrue(registry.join("a", () -> CompletableFuture.completedFuture("ok")).first());
  }

  /**
   * Many threads asking for few keys at once, each call answered on another thread after a
   * while: while a key's call is in flight no second call of it starts, every caller gets its
   * key's answer, and nothing is left registered.
   */
  @Test
  void concurrentCallersOfOneKeyNeverOverlapTwoCalls() throws Exception {
    InFlightRequests<Integer, String> registry = new InFlightRequests<>();
    int keys = 5;
    AtomicInteger[] running = new AtomicInteger[keys];
    AtomicInteger[] calls = new AtomicInteger[keys];
    AtomicInteger overlaps = new AtomicInteger();
    for (int i = 0; i < keys; i++) {
      running[i] = new AtomicInteger();
      calls[i] = new AtomicInteger();
    }
    ExecutorService callers = Executors.newFixedThreadPool(16);
    ExecutorService server = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int n = 0; n < 2_000; n++) {
        int key = n % keys;
        results.add(callers.submit(() -> {
          start.await();
          InFlightRequests.Ticket<String> t = registry.join(key, () -> {
            calls[key].incrementAndGet();
            if (running[key].incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            return CompletableFuture.supplyAsync(() -> {
              sleep(2);
              running[key].decrementAndGet();
              return "answer " + key;
            }, server);
          });
          return t.answer().get(10, TimeUnit.SECONDS).equals("answer " + key);
        }));
      }
      start.countDown();
      for (Future<Boolean> r : results) {
        assertTrue(r.get(30, TimeUnit.SECONDS));
      }
    } finally {
      callers.shutdownNow();
      server.shutdownNow();
    }
    assertEquals(0, overlaps.get(), "two calls of one key in flight at once");
    int total = 0;
    for (AtomicInteger c : calls) {
      total += c.get();
    }
    assertTrue(total < 2_000, "callers in flight together shared calls: " + total + " calls");
    assertEquals(0, registry.inFlight());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
