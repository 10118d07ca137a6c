package dev.tarjama.transforms.report;

import dev.tarjama.transforms.domain.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.KV;

/**
 * Bounded histograms of the valid candidates' LR, SCR, rank_score and reward per split and
 * backend, as sums in the run summary ({@link SummarizeRun}), so that the HTML report draws
 * distributions without reading any dataset back: at most {@link #BUCKETS} (LR, SCR, rank_score
 * over [0, 1]) or {@link #REWARD_BUCKETS} (reward, width {@link #REWARD_WIDTH}, clamped) counts per
 * metric, split and backend. Names: {@code hist \t metric\u001fsplit\u001fbackend \t bucket}.
 */
public final class Distributions {
  public static final String GROUP = "hist";
  public static final String[] METRICS = {"LR", "SCR", "rank_score", "reward"};
  public static final int BUCKETS = 20;
  public static final double REWARD_WIDTH = 0.5;
  /** Reward buckets from -REWARD_BUCKETS/2 to REWARD_BUCKETS/2 - 1 (a reward beyond is clamped). */
  public static final int REWARD_BUCKETS = 40;
  private static final String SEP = "\u001f";

  private Distributions() {}

  /** The histogram events of one candidate (none for an invalid one). */
  public static List<KV<String, Double>> events(Candidate c) {
    List<KV<String, Double>> out = new ArrayList<>();
    if (!c.valid()) {
      return out;
    }
    double[] values = {c.lr(), c.scr(), c.rankScore(), c.reward()};
    for (int m = 0; m < METRICS.length; m++) {
      if (Double.isFinite(values[m])) {
        out.add(KV.of(RunStatistics.key(GROUP, METRICS[m] + SEP + c.split() + SEP + c.backend(),
            Integer.toString(bucket(METRICS[m], values[m]))), 1.0));
      }
    }
    return out;
  }

  /** The bucket of {@code value}: [0, BUCKETS) for unit metrics, signed for the reward. */
  public static int bucket(String metric, double value) {
    if (metric.equals("reward")) {
      int b = (int) Math.floor(value / REWARD_WIDTH);
      return Math.max(-REWARD_BUCKETS / 2, Math.min(REWARD_BUCKETS / 2 - 1, b));
    }
    int b = (int) Math.floor(value * BUCKETS);
    return Math.max(0, Math.min(BUCKETS - 1, b));
  }

  /** The lower edge of a bucket. */
  public static double lowerEdge(String metric, int bucket) {
    return metric.equals("reward") ? bucket * REWARD_WIDTH : (double) bucket / BUCKETS;
  }

  /** One histogram: metric, split, backend and the counts by bucket. */
  public record Histogram(String metric, String split, String backend, TreeMap<Integer, Long> counts) {
    public long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Every histogram in {@code stats}, sorted by metric (in {@link #METRICS} order), split, backend. */
  public static List<Histogram> read(RunStatistics stats) {
    Map<String, Histogram> byName = new TreeMap<>();
    for (String name : stats.names(GROUP)) {
      String[] parts = name.split(SEP, -1);
      if (parts.length != 3) {
        continue;
      }
      Histogram h = new Histogram(parts[0], parts[1], parts[2], new TreeMap<>());
      int order = List.of(METRICS).indexOf(parts[0]);
      byName.put(order + SEP + parts[1] + SEP + parts[2], h);
      for (int b = -REWARD_BUCKETS; b <= REWARD_BUCKETS; b++) {
        long n = (long) stats.get(GROUP, name, Integer.toString(b));
        if (n > 0) {
          h.counts().put(b, n);
        }
      }
    }
    return new ArrayList<>(byName.values());
  }
}
