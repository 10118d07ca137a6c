package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line: phase, shares of the work, rate and ETA from live counts. */
class ProgressLineTest {
  @Test
  void phaseSharesRateAndEtaComeFromTheCounts() {
    ProgressLine line = new ProgressLine(3, 0); // three backends, each given distinct texts
    Map<String, Long> c = new HashMap<>();
    c.put(LiveCounts.RECORDS_READ, 100L);
    assertTrue(line.format(c, 2).contains("reading"), line.format(c, 2));

    c.put(LiveCounts.CHUNKS, 250L);
    c.put(LiveCounts.UNIQUE_CHUNKS, 200L); // 50 duplicates
    c.put(LiveCounts.REQUESTS_IN_FLIGHT, 16L);
    c.put(LiveCounts.CHUNKS_TRANSLATED, 60L); // the first candidates arrive at 10 s
    String first = line.format(c, 10);
    assertTrue(first.contains("translating"), first);
    assertTrue(first.contains("chunks 250 (200 unique), 3 backends: 60/600 done (10%)"), first);
    assertTrue(first.contains("requests 16 in flight"), first);
    assertTrue(first.contains("ETA –"), first);

    // 120 more in the next 20 s: 6 per second, 420 left → 70 s.
    c.put(LiveCounts.CHUNKS_TRANSLATED, 180L);
    c.put(LiveCounts.TOKENS_OUT, 2100L); // over the 21 s since the first answers
    c.put(LiveCounts.REQUESTS_FAILED, 2L);
    c.put(LiveCounts.RETRIES, 5L);
    String later = line.format(c, 30);
    assertTrue(later.contains("180/600 done (30%)"), later);
    assertTrue(later.contains("100 tok/s"), later);
    assertTrue(later.contains("2 failed, 5 retries"), later);
    assertTrue(later.contains("ETA 1m10s"), later);

    c.put(LiveCounts.CHUNKS_TRANSLATED, 600L);
    c.put(LiveCounts.CANDIDATES_SCORED, 10L);
    assertTrue(line.format(c, 40).contains("scoring"));
    assertTrue(line.format(c, 40).contains("translation done"));
    c.put(LiveCounts.RECORDS_DECIDED, 1L);
    assertTrue(line.format(c, 41).contains("writing"));
    // The phase never goes back, even when no request is in flight for a moment.
    c.put(LiveCounts.CANDIDATES_SCORED, 0L);
    c.put(LiveCounts.RECORDS_DECIDED, 0L);
    assertTrue(line.format(c, 42).contains("writing"));
  }

  @Test
  void aBackendGivenEveryChunkCountsEveryChunkInTheTotal() {
    // One local backend (each distinct text once), two API backends with a cache (every chunk).
    ProgressLine line = new ProgressLine(3, 2);
    Map<String, Long> c = new HashMap<>();
    c.put(LiveCounts.CHUNKS, 250L);
    c.put(LiveCounts.CHUNKS_TRANSLATED, 100L);
    // Before the distinct texts are known, every backend's share is every chunk.
    assertTrue(line.format(c, 5).contains("100/750 done"), line.format(c, 5));
    c.put(LiveCounts.UNIQUE_CHUNKS, 200L);
    assertTrue(line.format(c, 6).contains("100/700 done"), line.format(c, 6));
    c.put(LiveCounts.CHUNKS_TRANSLATED, 700L);
    assertTrue(line.format(c, 7).contains("(100%)") && line.format(c, 7).contains("translation done"),
        line.format(c, 7));
  }

  @Test
  void moreBackendsGivenEveryChunkThanBackendsIsRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new ProgressLine(1, 2));
  }

  @Test
  void countsAreTakenSinceTheStartOfARun() {
    Map<String, Long> start = Map.of(LiveCounts.RECORDS_READ, 40L);
    Map<String, Long> now = Map.of(LiveCounts.RECORDS_READ, 90L, LiveCounts.CHUNKS, 7L);
    Map<String, Long> delta = ProgressLine.since(start, now);
    assertEquals(50L, delta.get(LiveCounts.RECORDS_READ));
    assertEquals(7L, delta.get(LiveCounts.CHUNKS));
  }
}
