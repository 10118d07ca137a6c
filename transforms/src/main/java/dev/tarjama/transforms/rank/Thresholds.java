package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Minimum LR, SCR and rank_score a winning candidate must reach; each one is optional (NaN = not
 * set). Immutable. Per-split thresholds are {@link #orElse merged} field by field over the global
 * ones, so {@code code:min-scr=0} relaxes only SCR for that split.
 */
public final class Thresholds implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Thresholds NONE = new Thresholds(Double.NaN, Double.NaN, Double.NaN);

  static final String MIN_LR = "min-lr";
  static final String MIN_SCR = "min-scr";
  static final String MIN_RANK_SCORE = "min-rank-score";

  private final double minLr;
  private final double minScr;
  private final double minRankScore;

  private Thresholds(double minLr, double minScr, double minRankScore) {
    this.minLr = check(MIN_LR, minLr);
    this.minScr = check(MIN_SCR, minScr);
    this.minRankScore = check(MIN_RANK_SCORE, minRankScore);
  }

  private static double check(String name, double value) {
    if (!Double.isNaN(value) && !(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** No threshold: every valid candidate may win. */
  public static Thresholds none() {
    return NONE;
  }

  public Thresholds withMinLr(double minLr) {
    return new Thresholds(minLr, minScr, minRankScore);
  }

  public Thresholds withMinScr(double minScr) {
    return new Thresholds(minLr, minScr, minRankScore);
  }

  public Thresholds withMinRankScore(double minRankScore) {
    return new Thresholds(minLr, minScr, minRankScore);
  }

  /**
   * Parses {@code min-lr=0.6,min-scr=0.8,min-rank-score=0.7} (any subset, any order; blank = none).
   *
   * @throws IllegalArgumentException naming the entry that is not {@code key=number} with a known
   *     key and a value in [0, 1]
   */
  public static Thresholds parse(String spec) {
    Thresholds t = none();
    if (spec == null || spec.isBlank()) {
      return t;
    }
    for (String entry : spec.split(",")) {
      if (!entry.isBlank()) {
        t = t.with(entry.trim());
      }
    }
    return t;
  }

  /** Applies one {@code key=value} entry. */
  Thresholds with(String entry) {
    int eq = entry.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("threshold '" + entry + "' is not key=value");
    }
    String key = entry.substring(0, eq).trim();
    if (!key.equals(MIN_LR) && !key.equals(MIN_SCR) && !key.equals(MIN_RANK_SCORE)) {
      throw new IllegalArgumentException("unknown threshold '" + key + "' in '" + entry
          + "' (known: " + MIN_LR + ", " + MIN_SCR + ", " + MIN_RANK_SCORE + ")");
    }
    double value = RankingPolicy.number(entry, entry.substring(eq + 1));
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("threshold '" + entry + "' must be in [0, 1]");
    }
    return switch (key) {
      case MIN_LR -> withMinLr(value);
      case MIN_SCR -> withMinScr(value);
      default -> withMinRankScore(value);
    };
  }

  /** These thresholds where set, else {@code fallback}'s, field by field. */
  public Thresholds orElse(Thresholds fallback) {
    return new Thresholds(
        Double.isNaN(minLr) ? fallback.minLr : minLr,
        Double.isNaN(minScr) ? fallback.minScr : minScr,
        Double.isNaN(minRankScore) ? fallback.minRankScore : minRankScore);
  }

  /** NaN when not set. */
  public double minLr() {
    return minLr;
  }

  /** NaN when not set. */
  public double minScr() {
    return minScr;
  }

  /** NaN when not set. */
  public double minRankScore() {
    return minRankScore;
  }

  public boolean isEmpty() {
    return Double.isNaN(minLr) && Double.isNaN(minScr) && Double.isNaN(minRankScore);
  }

  /**
   * Why {@code c} fails these thresholds, e.g. {@code "LR 0.41 < 0.6; SCR 0.7 < 0.8"}, or empty
   * when it passes. A metric that is NaN (never scored) fails any threshold set on it.
   */
  public Optional<String> violation(Candidate c) {
    List<String> failed = new ArrayList<>(3);
    below("LR", c.lr(), minLr, failed);
    below("SCR", c.scr(), minScr, failed);
    below("rank_score", c.rankScore(), minRankScore, failed);
    return failed.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failed));
  }

  private static void below(String name, double value, double min, List<String> failed) {
    if (!Double.isNaN(min) && !(value >= min)) {
      failed.add(name + " " + format(value) + " < " + format(min));
    }
  }

  /** Up to 6 decimals, no trailing zeros: 0.41, 0.6, 0, 0.886087. */
  public static String format(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return Double.toString(value);
    }
    return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  /** The spec this parses back from, e.g. {@code min-lr=0.6,min-scr=0.8}; "" when none. */
  public String toSpec() {
    List<String> parts = new ArrayList<>(3);
    if (!Double.isNaN(minLr)) {
      parts.add(MIN_LR + "=" + format(minLr));
    }
    if (!Double.isNaN(minScr)) {
      parts.add(MIN_SCR + "=" + format(minScr));
    }
    if (!Double.isNaN(minRankScore)) {
      parts.add(MIN_RANK_SCORE + "=" + format(minRankScore));
    }
    return String.join(",", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Thresholds t
        && Double.compare(minLr, t.minLr) == 0
        && Double.compare(minScr, t.minScr) == 0
        && Double.compare(minRankScore, t.minRankScore) == 0;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(minLr) * 961 + Double.hashCode(minScr) * 31
        + Double.hashCode(minRankScore);
  }

  @Override
  public String toString() {
    return isEmpty() ? "none" : toSpec();
  }
}
