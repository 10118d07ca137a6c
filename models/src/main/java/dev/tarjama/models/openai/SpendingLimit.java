package dev.tarjama.models.openai;

import java.io.Serializable;
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
 * <p>Per JVM: on a distributed runner each worker keeps its own ledger and stops at the limit by
 * itself, so a job of W workers may spend up to W times the limit. On the DirectRunner and a
 * single Flink TaskManager the limit is the job's.
 *
 * @param runId keys the ledger (a random id per run, so that runs in one JVM do not share one)
 * @param maxCostUsd 0: no cost limit
 * @param maxTokens 0: no token limit
 */
public record SpendingLimit(String runId, double maxCostUsd, long maxTokens)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Map<String, Ledger> LEDGERS = new ConcurrentHashMap<>();

  public SpendingLimit {
    Objects.requireNonNull(runId, "runId");
    if (!(maxCostUsd >= 0) || Double.isInfinite(maxCostUsd)) {
      throw new IllegalArgumentException("the cost limit must be a USD amount >= 0: " + maxCostUsd);
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException("the token limit must be >= 0: " + maxTokens);
    }
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
    return LEDGERS.computeIfAbsent(runId, id -> new Ledger(this));
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
    private double spentUsd;
    private long spentTokens;
    private double reservedUsd;
    private long reservedTokens;
    private long refused;
    private String exhaustion;

    private Ledger(SpendingLimit limit) {
      this.limit = limit;
    }

    /**
     * Reserves a request's estimated cost and tokens, or returns null when the budget is spent:
     * the request must not be sent.
     */
    public synchronized Reservation tryReserve(double costUsd, long tokens) {
      if (exhaustion == null) {
        boolean costOut = limit.maxCostUsd > 0 && spentUsd + reservedUsd >= limit.maxCostUsd;
        boolean tokensOut = limit.maxTokens > 0 && spentTokens + reservedTokens >= limit.maxTokens;
        if (costOut || tokensOut) {
          exhaustion =
              String.format(
                  Locale.ROOT,
                  "budget exhausted (%s reached in this worker: %.4f USD and %d tokens spent or "
                      + "in flight)",
                  limit.describe(),
                  spentUsd + reservedUsd,
                  spentTokens + reservedTokens);
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

    private synchronized void settle(
        double reservedCost, long reservedTok, double costUsd, long tokens) {
      reservedUsd = Math.max(0, reservedUsd - reservedCost);
      reservedTokens = Math.max(0, reservedTokens - reservedTok);
      spentUsd += costUsd;
      spentTokens += tokens;
    }

    /** Why requests are refused; null while the budget lasts. */
    public synchronized String exhaustion() {
      return exhaustion;
    }

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

  /** A request's estimate, held until it is settled with what the request really cost. */
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

    /** The request cost this (0 for a request that failed without usage). Once; later calls no-op. */
    public void settle(double actualCostUsd, long actualTokens) {
      synchronized (this) {
        if (settled) {
          return;
        }
        settled = true;
      }
      ledger.settle(costUsd, tokens, actualCostUsd, actualTokens);
    }
  }
}
