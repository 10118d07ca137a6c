package dev.tarjama.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One loaded model per configuration per JVM, shared by threads, released by the last user. */
class MarianTranslatorsTest {

  @Test
  void oneModelPerConfigurationSharedAndClosedByTheLastUser() {
    MarianModelConfig config = MarianModelConfig.of(TinyModels.model(TinyModels.B));
    // A configuration equal by value (the path spelled differently) is the same key.
    MarianModelConfig sameModel =
        MarianModelConfig.of(TinyModels.model(TinyModels.B).resolve("../" + TinyModels.B));
    assertEquals(config, sameModel);
    MarianTranslators.Lease first = MarianTranslators.acquire(config);
    MarianTranslators.Lease second = MarianTranslators.acquire(sameModel);
    MarianTranslators.Lease otherConfig = MarianTranslators.acquire(config.withKvCache(false));
    try {
      assertSame(first.translator(), second.translator());
      assertNotSame(first.translator(), otherConfig.translator());
      assertEquals(2, MarianTranslators.users(config));
      assertEquals(1, MarianTranslators.users(config.withKvCache(false)));
    } finally {
      otherConfig.close();
    }
    first.close();
    first.close(); // a lease gives its reference back once
    assertEquals(1, MarianTranslators.users(config));
    String sentence = TinyModels.heldOutEnglish(1).get(0);
    assertEquals(1, second.translate(List.of(sentence), Decoding.greedy()).size());
    MarianTranslator shared = second.translator();
    second.close();
    assertEquals(0, MarianTranslators.users(config));
    IllegalStateException closed =
        assertThrows(
            IllegalStateException.class, () -> shared.translate(List.of(sentence), Decoding.greedy()));
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    // The next user loads it again.
    try (MarianTranslators.Lease again = MarianTranslators.acquire(config)) {
      assertNotSame(shared, again.translator());
      assertEquals(1, MarianTranslators.users(config));
    }
  }

  @Test
  void fourThreadsShareOneModelAndGetWhatOneThreadGets() throws Exception {
    MarianModelConfig config = MarianModelConfig.of(TinyModels.model(TinyModels.A));
    List<String> english = TinyModels.heldOutEnglish(32);
    List<List<Translation>> expectedGreedy;
    List<List<Translation>> expectedSamples;
    try (MarianTranslators.Lease lease = MarianTranslators.acquire(config)) {
      expectedGreedy = lease.translate(english, Decoding.greedy());
      expectedSamples = lease.translate(english, Decoding.sample(2, 0.9, 0.9, 42L));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<List<List<Translation>>>> work = new ArrayList<>();
      List<MarianTranslators.Lease> leases = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean sample = t % 2 == 1;
        int batch = 4 + 4 * t;
        work.add(
            () -> {
              // Every thread, like every DoFn instance, acquires in its own set-up.
              MarianTranslators.Lease lease = MarianTranslators.acquire(config);
              synchronized (leases) {
                leases.add(lease);
              }
              List<List<Translation>> out = new ArrayList<>();
              for (int i = 0; i < english.size(); i += batch) {
                List<String> part = english.subList(i, Math.min(english.size(), i + batch));
                out.addAll(
                    lease.translate(
                        part, sample ? Decoding.sample(2, 0.9, 0.9, 42L) : Decoding.greedy()));
              }
              return out;
            });
      }
      List<Future<List<List<Translation>>>> results = pool.invokeAll(work);
      assertEquals(4, MarianTranslators.users(config));
      for (int t = 0; t < 4; t++) {
        assertEquals(t % 2 == 1 ? expectedSamples : expectedGreedy, results.get(t).get(), "thread " + t);
      }
      MarianTranslator shared = leases.get(0).translator();
      for (MarianTranslators.Lease lease : leases) {
        assertSame(shared, lease.translator());
        lease.close();
      }
      assertEquals(0, MarianTranslators.users(config));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cudaOnACpuOnlyRuntimeFallsBackToCpuAndSaysSo() {
    MarianModelConfig config = MarianModelConfig.of(TinyModels.model(TinyModels.A)).withCuda(0);
    try (MarianTranslators.Lease lease = MarianTranslators.acquire(config)) {
      assertEquals("CPU", lease.translator().executionProvider());
      String description = lease.describe();
      assertTrue(description.contains("on CPU"), description);
      assertTrue(description.contains("CUDA execution provider requested"), description);
      assertTrue(description.contains("onnxruntime_gpu"), description);
      List<String> english = TinyModels.heldOutEnglish(8);
      assertEquals(
          TinyModels.referenceGreedy(TinyModels.A, 8),
          lease.translate(english, Decoding.greedy()).stream().map(c -> c.get(0).text()).toList());
    }
  }
}
