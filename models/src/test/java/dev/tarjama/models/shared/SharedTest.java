package dev.tarjama.models.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedTest {
  /** A resource that counts how often it was made and closed. */
  static final class Resource implements AutoCloseable {
    final String key;
    final AtomicInteger closed;

    Resource(String key, AtomicInteger closed) {
      this.key = key;
      this.closed = closed;
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  private final AtomicInteger made = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final Shared<String, Resource> shared = Shared.of("resource", key -> {
    made.incrementAndGet();
    return new Resource(key, closed);
  });

  @Test
  void everyUserOfAKeyGetsTheSameInstanceAndTheLastOneClosesIt() {
    Resource a = shared.acquire("m");
    Resource b = shared.acquire("m");
    assertSame(a, b);
    assertEquals(1, made.get());
    assertEquals(2, shared.users("m"));
    shared.release("m");
    assertEquals(0, closed.get(), "closed while a user still holds it");
    shared.release("m");
    assertEquals(1, closed.get());
    assertEquals(0, shared.users("m"));
    Resource c = shared.acquire("m");
    assertTrue(c != a, "a closed resource was handed out again");
    assertEquals(2, made.get());
  }

  @Test
  void keysAreIndependent() {
    Resource a = shared.acquire("a");
    Resource b = shared.acquire("b");
    assertTrue(a != b);
    shared.release("a");
    assertEquals(1, closed.get());
    assertEquals(1, shared.users("b"));
  }

  @Test
  void aFailedLoadLeavesNothingBehindAndTheNextAcquireTriesAgain() {
    AtomicInteger attempts = new AtomicInteger();
    Shared<String, Resource> flaky = Shared.of("model", key -> {
      if (attempts.incrementAndGet() == 1) {
        throw new java.io.IOException("no such file: " + key);
      }
      return new Resource(key, closed);
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> flaky.acquire("x"));
    assertEquals("cannot load model x: no such file: x", e.getMessage());
    assertEquals(0, flaky.users("x"));
    flaky.acquire("x");
    assertEquals(1, flaky.users("x"));
  }

  @Test
  void runtimeFailuresOfTheLoaderPassThroughUnwrapped() {
    Shared<String, Resource> failing = Shared.of("client", key -> {
      throw new IllegalArgumentException("bad key " + key);
    });
    assertEquals("bad key k",
        assertThrows(IllegalArgumentException.class, () -> failing.acquire("k")).getMessage());
    assertEquals(0, failing.users("k"));
  }

  @Test
  void concurrentFirstUsersMakeOneInstance() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    Shared<String, Resource> slow = Shared.of("model", key -> {
      made.incrementAndGet();
      loading.await(5, TimeUnit.SECONDS);
      return new Resource(key, closed);
    });
    // A thread for each waiter of m and one more for other: with only 8, other waits for a free
    // thread until the load gives up, and the test measures the pool, not the registry.
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      List<Future<Resource>> got = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        got.add(pool.submit(() -> slow.acquire("m")));
      }
      // Another key is not blocked by the slow load.
      Resource other = pool.submit(() -> shared.acquire("other")).get(5, TimeUnit.SECONDS);
      assertEquals("other", other.key);
      loading.countDown();
      Resource first = got.get(0).get(5, TimeUnit.SECONDS);
      for (Future<Resource> f : got) {
        assertSame(first, f.get(5, TimeUnit.SECONDS));
      }
      assertEquals(2, made.get(), "one load of m, one of other");
      assertEquals(8, slow.users("m"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingCloseNamesTheKey() {
    Shared<String, AutoCloseable> stubborn = Shared.of("cache", key -> () -> {
      throw new java.io.IOException("disk gone");
    });
    stubborn.acquire("sqlite:/x");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> stubborn.release("sqlite:/x"));
    assertEquals("cannot close cache sqlite:/x", e.getMessage());
    assertEquals(0, stubborn.users("sqlite:/x"));
  }
}
