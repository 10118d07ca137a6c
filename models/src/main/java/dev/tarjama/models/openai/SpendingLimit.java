package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hard stop for a run's API spending: at most {@code maxCostUsd} (at each backend's prices) and
 * at most {@code maxTokens} tokens (prompt + completion, as the servers report them). 0 means no
 * limit of that kind. An immutable, serializable value that travels inside the DoFns; {@link
 * #ledger()} is the spending so far, one per run per JVM.
 *
 * <p>Spend is counted per HTTP attempt that came back with a usage ({@link Reservation#paid}), the
 * moment it comes back, whatever becomes of the chunk or of the Beam bundle it belongs to: a
 * bundle that fails and is retried was paid for twice, and counts twice.
 *
 * <p>With a {@code ledgerFile} (a local path; the command line puts it in {@code
 * OUT/_spend/ledger.jsonl}) every paid attempt is also appended to that file as one JSON line
 * ({@code launch}, {@code usd}, {@code tokens}), a plain append that survives {@code kill -9} of
 * the JVM, and a ledger starts from what the file already holds: a resumed run counts what the
 * killed run spent against the same limit. {@link #readLedgerFile} sums it for the report.
 *
 * <p>Per JVM: on a distributed runner each worker keeps its own ledger and stops at the limit by
 * itself, so a job of W workers may spend up to W times the limit. On the DirectRunner and a
 * single Flink TaskManager the limit is the job's.
 *
 * @param runId keys the ledger (a random id per run, so that runs in one JVM do not share one)
 * @param maxCostUsd 0: no cost limit
 * @param maxTokens 0: no token limit
 */
public record SpendingLimit(String runId, double maxCostUsd, long maxTokens, String ledgerFile)
    implements Serializable {
  private static final long serialVersionUID = 2L;

  // Not reference-counted like the other per-JVM resources (models.shared.Shared): the spend of a
  // run must not start again from the file when every DoFn using it happens to be torn down
  // between bundles. A ledger is a few counters and holds no file handle.
  private static final Map<String, Ledger> LEDGERS = new ConcurrentHashMap<>();
  private static final ObjectMapper LEDGER_JSON = new ObjectMapper();

  public SpendingLimit {
    Objects.requireNonNull(runId, "runId");
    if (!(maxCostUsd >= 0) || Double.isInfinite(maxCostUsd)) {
      throw new IllegalArgumentException("the cost limit must be a USD amount >= 0: " + maxCostUsd);
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("the token limit must be >= 0: " + maxTokens);
    }
    ledgerFile = ledgerFile == null ? "" : ledgerFile;
  }

  /** A limit without a ledger file. */
  public SpendingLimit(String runId, double maxCostUsd, long maxTokens) {
    this(runId, maxCostUsd, maxTokens, "");
  }

  /** This limit, its spending also appended to (and started from) {@code path}. */
  public SpendingLimit withLedgerFile(String path) {
    return new SpendingLimit(runId, maxCostUsd, maxTokens, path);
  }

  /** Whether requests go through the ledger at all: a limit, or a ledger file to keep. */
  public boolean isCounted() {
    return isLimited() || !ledgerFile.isEmpty();
  }

  /** What a ledger file holds: the spending of every launch of a run, and of the last one. */
  public record Spent(double usd, long tokens, long attempts, int launches) {}

  /**
   * Sums a ledger file (none: nothing spent). A line cut by a crash mid-write is skipped.
   *
   * @throws UncheckedIOException when the file exists and cannot be read
   */
  public static Spent readLedgerFile(Path file) {
    if (!Files.exists(file)) {
      return new Spent(0, 0, 0, 0);
    }
    double usd = 0;
    long tokens = 0;
    long attempts = 0;
    java.util.Set<String> launches = new java.util.HashSet<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode entry;
        try {
          entry = LEDGER_JSON.readTree(line);
        } catch (java.io.IOException e) {
          continue;
        }
        if (entry == null || !entry.path("usd").isNumber() || !entry.path("tokens").isNumber()) {
          continue;
        }
        usd += entry.get("usd").asDouble();
        tokens += entry.get("tokens").asLong();
        attempts++;
        launches.add(entry.path("launch").asText());
      }
    } catch (java.io.IOException e) {
      throw new UncheckedIOException("cannot read the spend ledger " + file, e);
    }
    return new Spent(usd, tokens, attempts, launches.size());
  }

  /** No limit. */
  public static SpendingLimit none() {
    return new SpendingLimit("none", 0, 0);
  }

  /** A limit with a fresh ledger. */
  public static SpendingLimit of(double maxCostUsd, long maxTokens) {
    return new SpendingLimit(UUID.randomUUID().toString(), maxCostUsd, maxTokens);
  }

  public boolean isLimited() {
    return maxCostUsd > 0 || maxTokens > 0;
  }

  /** The spending of this run in this JVM, shared by every thread and backend. */
  public Ledger ledger() {
    return LEDGERS.computeIfAbsent(runId + "\n" + ledgerFile, id -> new Ledger(this));
  }

  /** What the limit says, e.g. {@code --max-cost=2.5 USD, --max-tokens=1000000}. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    if (maxCostUsd > 0) {
      s.append(String.format(Locale.ROOT, "--max-cost=%s USD", plain(maxCostUsd)));
    }
    if (maxTokens > 0) {
      s.append(s.isEmpty() ? "" : ", ").append("--max-tokens=").append(maxTokens);
    }
    return s.isEmpty() ? "no limit" : s.toString();
  }

  private static String plain(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /**
   * Spending so far. A request is let through only while the spending plus what the requests in
   * flight are expected to cost stays under the limit; its estimate is reserved until the server's
   * usage replaces it. Once a request has been refused, every later one is too (a run does not
   * stop and start again as in-flight estimates settle). Spending may end slightly above the
   * limit: by how much the requests in flight at the end cost more than estimated.
   */
  public static final class Ledger {
    private final SpendingLimit limit;
    /** What earlier launches of the run spent (the ledger file when this ledger was made). */
    private final double carriedUsd;
    private final long carriedTokens;
    private double spentUsd;
    private long spentTokens;
    private double reservedUsd;
    private long reservedTokens;
    private long refused;
    private String exhaustion;

    private Ledger(SpendingLimit limit) {
      this.limit = limit;
      Spent before = limit.ledgerFile.isEmpty() ? new Spent(0, 0, 0, 0)
          : readLedgerFile(Path.of(limit.ledgerFile));
      this.carriedUsd = before.usd();
      this.carriedTokens = before.tokens();
    }

    /** What earlier launches of this run spent, as the ledger file said when this JVM began. */
    public double carriedUsd() {
      return carriedUsd;
    }

    public long carriedTokens() {
      return carriedTokens;
    }

    /**
     * Reserves a request's estimated cost and tokens, or returns null when the budget is spent:
     * the request must not be sent.
     */
    public synchronized Reservation tryReserve(double costUsd, long tokens) {
      if (exhaustion == null) {
        double usd = carriedUsd + spentUsd + reservedUsd;
        long tok = carriedTokens + spentTokens + reservedTokens;
        boolean costOut = limit.maxCostUsd > 0 && usd >= limit.maxCostUsd;
        boolean tokensOut = limit.maxTokens > 0 && tok >= limit.maxTokens;
        if (costOut || tokensOut) {
          exhaustion =
              String.format(
                  Locale.ROOT,
                  "budget exhausted (%s reached in this worker: %.4f USD and %d tokens spent or "
                      + "in flight%s)",
                  limit.describe(),
                  usd,
                  tok,
                  carriedUsd > 0 || carriedTokens > 0
                      ? String.format(Locale.ROOT,
                          ", %.4f USD and %d tokens of them by the run before it was resumed",
                          carriedUsd, carriedTokens)
                      : "");
        }
      }
      if (exhaustion != null) {
        refused++;
        return null;
      }
      reservedUsd += costUsd;
      reservedTokens += tokens;
      return new Reservation(this, costUsd, tokens);
    }

    private synchronized void release(double reservedCost, long reservedTok) {
      reservedUsd = Math.max(0, reservedUsd - reservedCost);
      reservedTokens = Math.max(0, reservedTokens - reservedTok);
    }

    /** One paid attempt: counted at once, and appended to the ledger file when there is one. */
    private synchronized void paid(double costUsd, long tokens) {
      spentUsd += costUsd;
      spentTokens += tokens;
      if (limit.ledgerFile.isEmpty() || (costUsd == 0 && tokens == 0)) {
        return;
      }
      String line = String.format(Locale.ROOT, "{\"launch\":\"%s\",\"usd\":%s,\"tokens\":%d}%n",
          limit.runId, Double.toString(costUsd), tokens);
      // Opened and closed per attempt (one append next to an HTTP call): the ledger outlives the
      // DoFns that use it and is never released, so it must hold no file handle.
      Path path = Path.of(limit.ledgerFile);
      try {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          file.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        }
      } catch (java.io.IOException e) {
        // The spend still counts in this JVM; the file is for the next launch and the report.
        fileErrors++;
      }
    }

    private long fileErrors;

    /** Paid attempts that could not be appended to the ledger file. */
    public synchronized long fileErrors() {
      return fileErrors;
    }

    /** Why requests are refused; null while the budget lasts. */
    public synchronized String exhaustion() {
      return exhaustion;
    }

    /** What this launch spent in this JVM (without what earlier launches of the run spent). */
    public synchronized double spentUsd() {
      return spentUsd;
    }

    public synchronized long spentTokens() {
      return spentTokens;
    }

    /** Requests refused so far. */
    public synchronized long refused() {
      return refused;
    }
  }

  /**
   * A request's estimate, held until it is settled: each attempt that came back with a usage is
   * {@link #paid} as it comes back; {@link #settle} (or {@link #release}) then drops the estimate.
   */
  public static final class Reservation {
    private final Ledger ledger;
    private final double costUsd;
    private final long tokens;
    private boolean settled;

    private Reservation(Ledger ledger, double costUsd, long tokens) {
      this.ledger = ledger;
      this.costUsd = costUsd;
      this.tokens = tokens;
    }

    /** One attempt of this request came back with this usage: it is spent, now. */
    public void paid(double actualCostUsd, long actualTokens) {
      ledger.paid(actualCostUsd, actualTokens);
    }

    /** The request is over (its attempts were {@link #paid}): the estimate is released. Once. */
    public void release() {
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      ledger.release(costUsd, tokens);
    }

    /**
     * The request cost this in all (0 for a request that failed without usage), for callers that
     * do not report attempts one by one: paid, then released. Once; later calls no-op.
     */
    public void settle(double actualCostUsd, long actualTokens) {
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      ledger.release(costUsd, tokens);
      ledger.paid(actualCostUsd, actualTokens);
    }
  }
}
