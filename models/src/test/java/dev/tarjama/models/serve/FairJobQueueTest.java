package dev.tarjama.models.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.serve.FairJobQueue.Batch;
import dev.tarjama.models.serve.FairJobQueue.Job;
import dev.tarjama.models.serve.FairJobQueue.Key;
import dev.tarjama.models.serve.FairJobQueue.Slice;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FairJobQueueTest {
  static final Key GREEDY = new Key(Decoding.greedy(), Integer.MAX_VALUE);
  static final Key SAMPLE = new Key(Decoding.sample(1, 0.9, 1.0, 3L), Integer.MAX_VALUE);

  private final AtomicLong now = new AtomicLong(1_000);

  private FairJobQueue queue(int maxBatch, int maxQueued) {
    return new FairJobQueue(maxBatch, maxQueued, now::get);
  }

  private static Job job(String name, int texts, Key key) {
    return new Job(
        IntStream.range(0, texts).mapToObj(i -> name + i).toList(), key, Long.MAX_VALUE / 2);
  }

  /** Answers every text of the batch with its own source, as a model would. */
  private static void answer(Batch batch) {
    for (Slice slice : batch.slices()) {
      List<List<Translation>> out = new ArrayList<>();
      slice.sources().forEach(s -> out.add(List.of(new Translation(s.toUpperCase(), 1, 1))));
      slice.job().answer(slice.from(), out);
    }
  }

  @Test
  void aSmallJobIsServedInTheNextBatchBesideALargeOne() throws Exception {
    FairJobQueue q = queue(4, 10_000);
    Job large = job("L", 5000, GREEDY);
    assertTrue(q.offer(large));
    Batch first = q.take(0);
    assertEquals(4, first.sources().size(), "a batch holds at most maxBatch texts");
    assertEquals(List.of("L0", "L1", "L2", "L3"), first.sources());
    Job small = job("S", 1, GREEDY);
    assertTrue(q.offer(small));
    Batch second = q.take(0);
    assertEquals(4, second.sources().size());
    assertTrue(second.sources().contains("S0"), second.sources().toString());
    answer(first);
    answer(second);
    assertEquals("S0", small.result.get().get(0).get(0).text());
    assertFalse(large.result.isDone());
    int batches = 2;
    Batch next;
    while (!large.result.isDone()) {
      next = q.take(0);
      assertTrue(next.sources().size() <= 4);
      answer(next);
      batches++;
    }
    assertEquals(1 + 5000 / 4, batches, "5,001 texts in batches of at most 4");
    List<List<Translation>> answers = large.result.get();
    for (int i = 0; i < 5000; i++) {
      assertEquals("L" + i, answers.get(i).get(0).text());
    }
    assertEquals(0, q.queuedTexts());
  }

  @Test
  void manyJobsShareABatchOneTextEachInTurn() throws Exception {
    FairJobQueue q = queue(6, 100);
    Job a = job("a", 10, GREEDY);
    Job b = job("b", 1, GREEDY);
    Job c = job("c", 10, GREEDY);
    List.of(a, b, c).forEach(q::offer);
    Batch batch = q.take(0);
    assertEquals(6, batch.sources().size());
    // Rounds of one text each: a b c, a c, a.
    assertEquals(List.of("a0", "a1", "a2", "b0", "c0", "c1"), batch.sources());
    assertEquals(21 - 6, q.queuedTexts());
  }

  @Test
  void jobsWithOtherDecodingsTakeTurnsLeadingBatches() throws Exception {
    FairJobQueue q = queue(2, 100);
    q.offer(job("g", 3, GREEDY));
    q.offer(job("s", 3, SAMPLE));
    List<Key> keys = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Batch batch = q.take(0);
      keys.add(batch.key());
      sources.addAll(batch.sources());
    }
    assertEquals(List.of(GREEDY, SAMPLE, GREEDY, SAMPLE), keys);
    assertEquals(List.of("g0", "g1", "s0", "s1", "g2", "s2"), sources);
  }

  @Test
  void aFullQueueRefusesWhatDoesNotFitAndQueuesNothingOfIt() {
    FairJobQueue q = queue(4, 5);
    assertTrue(q.offer(job("a", 3, GREEDY)));
    Job refused = job("b", 3, GREEDY);
    assertFalse(q.offer(refused));
    assertFalse(refused.result.isDone(), "the caller answers a refused job (429)");
    assertTrue(q.offer(job("c", 2, GREEDY)));
    assertEquals(5, q.queuedTexts());
  }

  @Test
  void cancelledAndLateJobsAreDroppedBeforeTheModelSeesTheirTexts() throws Exception {
    FairJobQueue q = queue(2, 100);
    Job cancelled = job("c", 6, GREEDY);
    Job late = new Job(List.of("l0", "l1", "l2"), GREEDY, now.get() + 500);
    Job alive = job("a", 1, GREEDY);
    q.offer(cancelled);
    Batch first = q.take(0);
    assertEquals(2, first.sources().size());
    assertEquals(List.of("c0", "c1"), first.sources());
    cancelled.result.cancel(false); // its request timed out
    q.offer(late);
    q.offer(alive);
    now.addAndGet(501); // the late job's deadline passes in line
    Batch second = q.take(0);
    assertEquals(List.of("a0"), second.sources());
    assertEquals(4 + 3, q.cancelledTexts());
    assertEquals(0, q.queuedTexts());
    ExecutionException e = assertThrows(ExecutionException.class, late.result::get);
    assertInstanceOf(TimeoutException.class, e.getCause());
    answer(first); // the batch already running still answers; nobody is waiting
    assertTrue(cancelled.result.isCancelled());
  }

  @Test
  void closingFailsWaitingJobsAndEndsTake() throws Exception {
    FairJobQueue q = queue(2, 100);
    Job waiting = job("w", 3, GREEDY);
    q.offer(waiting);
    q.close();
    assertTrue(waiting.result.isCompletedExceptionally());
    assertNull(q.take(0));
  }
}
