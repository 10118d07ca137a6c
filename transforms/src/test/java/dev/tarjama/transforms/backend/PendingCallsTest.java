package dev.tarjama.transforms.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingCallsTest {
  @Test
  void keepsAtMostTheLimitInFlightAndEmitsEveryResultOnce() throws Exception {
    ScheduledExecutorService server = Executors.newScheduledThreadPool(4);
    try {
      PendingCalls<Integer> pending = new PendingCalls<>();
      List<Integer> emitted = new ArrayList<>();
      int[] inFlight = {0};
      int[] maxInFlight = {0};
      for (int i = 0; i < 20; i++) {
        pending.makeRoom(3, r -> {
          emitted.add(r);
          inFlight[0]--;
        });
        inFlight[0]++;
        maxInFlight[0] = Math.max(maxInFlight[0], inFlight[0]);
        CompletableFuture<Integer> call = new CompletableFuture<>();
        int n = i;
        server.schedule(() -> call.complete(n), 5 + (i % 3) * 7, TimeUnit.MILLISECONDS);
        pending.add(call, (value, error) -> value);
      }
      pending.drain(r -> {
        emitted.add(r);
        inFlight[0]--;
      });
      assertEquals(3, maxInFlight[0]);
      assertEquals(0, inFlight[0]);
      assertEquals(20, emitted.size());
      assertEquals(20, emitted.stream().distinct().count());
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void aFailureNamesOnlyTheKindOfAnExceptionNotFromTheHttpExchange() {
    PendingCalls.Failure f =
        PendingCalls.Failure.of(new CompletionException(new IllegalStateException("secret-ish")));
    assertEquals("IllegalStateException", f.message());
    assertEquals(0, f.attempts());
    assertTrue(!f.message().contains("secret"));
  }
}
