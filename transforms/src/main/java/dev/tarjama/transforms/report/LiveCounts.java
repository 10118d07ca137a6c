package dev.tarjama.transforms.report;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts that a progress line can read while the pipeline runs in this JVM: the DoFns add to them
 * next to their Beam metrics. Beam's committed metrics arrive late or only at the end (and
 * {@code FlinkRunner.run()} blocks until the job is done, so there is no live {@code
 * PipelineResult} to ask), while these move the moment a record is read or an answer arrives.
 *
 * <p>Per JVM, never reset: a reader takes a {@link #snapshot} at the start of a run and subtracts
 * it. On a cluster each worker has its own, and the launcher's stay at zero. Names are the Beam
 * metric names ({@code records_read}, {@code translate/LABEL/tokens_out}, …) plus the few below.
 */
public final class LiveCounts {
  /** Records read from the input. */
  public static final String RECORDS_READ = "live/records_read";
  /** Chunks cut, to be translated by every backend. */
  public static final String CHUNKS = "live/chunks";
  /** Unique chunks (identical chunks are translated once), when deduplication is on. */
  public static final String UNIQUE_CHUNKS = "live/unique_chunks";
  /**
   * (Unique chunk, backend) pairs done: answered by the backend or the cache, failed for good, or
   * refused by the budget.
   */
  public static final String CHUNKS_TRANSLATED = "live/chunks_translated";
  /** Full candidates scored. */
  public static final String CANDIDATES_SCORED = "live/candidates_scored";
  /** Records chosen, rejected or sent to the dead letters at ranking. */
  public static final String RECORDS_DECIDED = "live/records_decided";
  /** API requests sent and not answered yet (a gauge: sends add, answers subtract). */
  public static final String REQUESTS_IN_FLIGHT = "live/requests_in_flight";
  /** API requests answered (for good: retries included in one). */
  public static final String REQUESTS_DONE = "live/requests_done";
  /** API requests that failed for good. */
  public static final String REQUESTS_FAILED = "live/requests_failed";
  /** HTTP attempts after the first (retries). */
  public static final String RETRIES = "live/retries";
  /** Completion tokens the API backends returned. */
  public static final String TOKENS_OUT = "live/tokens_out";

  /** Prompt ({@code in}) or completion ({@code out}) tokens an API backend's answers reported. */
  public static String backendTokens(String label, String inOrOut) {
    return "live/backend/" + label + "/tokens_" + inOrOut;
  }

  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  private LiveCounts() {}

  public static void add(String name, long delta) {
    COUNTS.computeIfAbsent(name, n -> new LongAdder()).add(delta);
  }

  public static void inc(String name) {
    add(name, 1);
  }

  public static long get(String name) {
    LongAdder a = COUNTS.get(name);
    return a == null ? 0 : a.sum();
  }

  /** Every count now, by name. */
  public static Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
