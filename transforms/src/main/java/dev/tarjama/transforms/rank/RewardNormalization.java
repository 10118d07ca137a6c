package dev.tarjama.transforms.rank;

import java.util.Locale;

/**
 * How a record's raw rewards become the [0, 1] reward term of rank_score. A Bradley–Terry reward
 * is only meaningful relative to the other candidates of the same source (its scale and offset
 * are arbitrary), so rewards are normalized per record, over the candidates that have a reward
 * (NaN stays NaN: that candidate's rank_score has no reward term).
 *
 * <ul>
 *   <li>{@link #LOGISTIC} (default): σ(r − mean), the record's mean reward subtracted and no
 *       division: a Bradley–Terry reward's unit is a log-odds, so the term is the modelled chance
 *       that the candidate beats the record's average, and the size of a gap survives — with two
 *       candidates a gap of 1e-6 moves it by 5e-7, a gap of 3 by 0.64.
 *   <li>{@link #ZSCORE}: z = (r − mean) / standard deviation (population), mapped to
 *       (0, 1) by the logistic function σ(z) so that it weighs like LR and SCR: the record's mean
 *       reward is 0.5, one deviation above it 0.73.
 *   <li>{@link #MINMAX}: (r − min) / (max − min): the record's best reward is 1, its worst 0.
 * </ul>
 *
 * <p>With two candidates z-scores are always ±1 and min–max always 0 and 1, whatever the gap;
 * they are kept for larger pools. A record whose rewards are all equal (or a single rewarded candidate) gets 0.5 for each: the
 * reward cannot tell its candidates apart.
 */
public enum RewardNormalization {
  LOGISTIC,
  ZSCORE,
  MINMAX;

  /** {@code logistic}, {@code zscore} or {@code minmax}, any case. */
  public static RewardNormalization parse(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT).replace("-", "");
    for (RewardNormalization v : values()) {
      if (v.cliName().equals(n)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown reward normalization '" + name + "'; known: logistic, zscore, minmax");
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The normalized rewards of one record, in order (NaN in, NaN out). */
  public double[] normalize(double[] rewards) {
    double[] out = new double[rewards.length];
    int n = 0;
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double r : rewards) {
      if (!Double.isNaN(r)) {
        n++;
        sum += r;
        min = Math.min(min, r);
        max = Math.max(max, r);
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    double squares = 0;
    for (double r : rewards) {
      if (!Double.isNaN(r)) {
        squares += (r - mean) * (r - mean);
      }
    }
    double sd = n == 0 ? 0 : Math.sqrt(squares / n);
    for (int i = 0; i < rewards.length; i++) {
      double r = rewards[i];
      if (Double.isNaN(r)) {
        out[i] = Double.NaN;
      } else if (this == LOGISTIC) {
        out[i] = 1 / (1 + Math.exp(-(r - mean)));
      } else if (!(max > min) || !(sd > 0)) {
        out[i] = 0.5;
      } else if (this == MINMAX) {
        out[i] = (r - min) / (max - min);
      } else {
        out[i] = 1 / (1 + Math.exp(-(r - mean) / sd));
      }
    }
    return out;
  }
}
