package dev.tarjama.transforms.report;

import java.util.Locale;
import java.util.Map;

/**
 * One progress line from {@link LiveCounts} (the counts since the run started): phase, records
 * read and decided, the (chunk, backend) pairs done of the total (done when the backend or the
 * cache answered, or an identical chunk's answer was copied, or the chunk failed for good),
 * translated tokens per second (since the first answer), API requests in flight and failed, and
 * an ETA.
 *
 * <p>The total counts, per backend, the chunks its branch is given: every chunk for a backend
 * that shares answers between identical chunks as it calls (an API or batch backend with a
 * cache), each distinct text once for the others ({@code TranslateChunks.asksEveryChunk}); all
 * chunks until the distinct ones are known. While the input is still being read it grows, so the
 * ETA is a lower bound then. The ETA extrapolates the pairs done since the first line that saw
 * any. The phase is the furthest stage that has seen work — reading, translating, scoring,
 * writing — and never goes back.
 */
public final class ProgressLine {
  private static final String[] PHASES = {"reading", "translating", "scoring", "writing"};

  private final int backends;
  private final int askedEveryChunk;
  private int phase;
  private double firstSeconds = -1;
  private long doneAtFirst;

  /**
   * For a run with this many backends, {@code askedEveryChunk} of them given every chunk (the
   * others each distinct text once).
   */
  public ProgressLine(int backends, int askedEveryChunk) {
    if (askedEveryChunk < 0 || askedEveryChunk > backends) {
      throw new IllegalArgumentException(
          askedEveryChunk + " of " + backends + " backends cannot be asked every chunk");
    }
    this.backends = Math.max(1, backends);
    this.askedEveryChunk = askedEveryChunk;
  }

  /** The counts in {@code now} minus those in {@code start}. */
  public static Map<String, Long> since(Map<String, Long> start, Map<String, Long> now) {
    Map<String, Long> delta = new java.util.TreeMap<>();
    now.forEach((k, v) -> delta.put(k, v - start.getOrDefault(k, 0L)));
    return delta;
  }

  /** The line for counts {@code c} (since the start) at {@code seconds} after the start. */
  public String format(Map<String, Long> c, double seconds) {
    long read = c.getOrDefault(LiveCounts.RECORDS_READ, 0L);
    long chunks = c.getOrDefault(LiveCounts.CHUNKS, 0L);
    long unique = c.getOrDefault(LiveCounts.UNIQUE_CHUNKS, 0L);
    long done = c.getOrDefault(LiveCounts.CHUNKS_TRANSLATED, 0L);
    long scored = c.getOrDefault(LiveCounts.CANDIDATES_SCORED, 0L);
    long decided = c.getOrDefault(LiveCounts.RECORDS_DECIDED, 0L);
    long inFlight = Math.max(0, c.getOrDefault(LiveCounts.REQUESTS_IN_FLIGHT, 0L));
    long failed = c.getOrDefault(LiveCounts.REQUESTS_FAILED, 0L);
    long retries = c.getOrDefault(LiveCounts.RETRIES, 0L);
    long tokens = c.getOrDefault(LiveCounts.TOKENS_OUT, 0L);
    long perBackend = unique > 0 ? unique : chunks;
    long expected = perBackend * (backends - askedEveryChunk) + chunks * askedEveryChunk;
    if (done > 0 && firstSeconds < 0) {
      firstSeconds = seconds;
      doneAtFirst = done;
    }
    int now = decided > 0 ? 3 : scored > 0 ? 2 : done > 0 || inFlight > 0 ? 1 : 0;
    phase = Math.max(phase, now);
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "[%4.0fs] %-11s| records %d read, %d decided | ",
        seconds, PHASES[phase], read, decided));
    line.append(String.format(Locale.ROOT, "chunks %d (%d unique), %d backends: %d/%d done",
        chunks, perBackend, backends, done, expected));
    if (expected > 0) {
      line.append(
          String.format(Locale.ROOT, " (%.0f%%)", 100.0 * Math.min(done, expected) / expected));
    }
    // Per second of translating: the start-up before the first answer is not the backends' rate.
    double translating = firstSeconds < 0 ? 0 : seconds - firstSeconds + 1;
    line.append(String.format(Locale.ROOT, " | %.0f tok/s", translating > 0 ? tokens / translating : 0.0));
    line.append(String.format(Locale.ROOT, " | requests %d in flight, %d failed, %d retries",
        inFlight, failed, retries));
    line.append(" | ETA ").append(eta(done, expected, seconds));
    return line.toString();
  }

  private String eta(long done, long expected, double seconds) {
    if (expected > 0 && done >= expected) {
      return "translation done";
    }
    // The rate since the first line that saw work done (what came before took unknown time).
    if (firstSeconds < 0 || seconds - firstSeconds < 1e-3 || done == doneAtFirst) {
      return "–";
    }
    double rate = (done - doneAtFirst) / (seconds - firstSeconds);
    long left = Math.round((expected - done) / rate);
    return left >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", left / 3600, left % 3600 / 60)
        : left >= 60 ? String.format(Locale.ROOT, "%dm%02ds", left / 60, left % 60)
        : left + "s";
  }
}
