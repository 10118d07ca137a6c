package dev.tarjama.transforms.sweep;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.rank.RecordDecision;
import dev.tarjama.transforms.rank.Thresholds;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Re-ranks one record's candidate pool under every (min-lr, min-scr) pair of two grids with the
 * same {@link RecordDecision} the translate run used, so a threshold pair chooses here exactly
 * what a run with those thresholds would have chosen.
 *
 * <p>Each pair's policy is the run's policy (weights, min-rank-score, per-split min-rank-score)
 * with min-lr and min-scr set for every split: per-split LR/SCR overrides of the run are replaced
 * by the swept values, so that each split's curve shows what each threshold would cost it.
 */
public final class ThresholdSweep implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RankingPolicy runPolicy;
  private final ThresholdGrid minLr;
  private final ThresholdGrid minScr;
  private final RankingPolicy[][] policies;

  public ThresholdSweep(RankingPolicy runPolicy, ThresholdGrid minLr, ThresholdGrid minScr) {
    this.runPolicy = runPolicy;
    this.minLr = minLr;
    this.minScr = minScr;
    this.policies = new RankingPolicy[minLr.size()][minScr.size()];
    for (int i = 0; i < minLr.size(); i++) {
      for (int j = 0; j < minScr.size(); j++) {
        policies[i][j] = at(runPolicy, minLr.get(i), minScr.get(j));
      }
    }
  }

  /**
   * {@code base} with min-lr and min-scr set globally and cleared from every split; its weights,
   * reward normalization and quality gates kept, so that each cell differs from the run's policy
   * by the two thresholds alone.
   */
  public static RankingPolicy at(RankingPolicy base, double lr, double scr) {
    RankingPolicy p = RankingPolicy.defaults()
        .withWeights(base.lrWeight(), base.scrWeight())
        .withRewardWeight(base.rewardWeight())
        .withRewardNormalization(base.rewardNormalization())
        .withQuality(base.quality())
        .withThresholds(base.globalThresholds().withMinLr(lr).withMinScr(scr));
    for (Map.Entry<String, Thresholds> e : base.splitThresholds().entrySet()) {
      p = p.perSplit(e.getKey(), e.getValue().withMinLr(Double.NaN).withMinScr(Double.NaN));
    }
    return p;
  }

  public ThresholdGrid minLr() {
    return minLr;
  }

  public ThresholdGrid minScr() {
    return minScr;
  }

  public RankingPolicy runPolicy() {
    return runPolicy;
  }

  /**
   * What happened to one record: never translated, or chosen under which pairs.
   *
   * @param untranslated every candidate failed to translate: a dead letter whatever the
   *     thresholds
   * @param chosenByRun chosen under the run's own policy
   * @param chosen [i][j]: chosen under min-lr grid i and min-scr grid j (compared by reference, as
   *     records compare arrays; nothing compares verdicts)
   */
  public record Verdict(boolean untranslated, boolean chosenByRun, boolean[][] chosen) {}

  public Verdict decide(String recordId, List<Candidate> pool) {
    RecordDecision run = RecordDecision.decide(recordId, pool, runPolicy);
    boolean[][] chosen = new boolean[minLr.size()][minScr.size()];
    if (run.outcome() == RecordDecision.Outcome.DEAD_LETTER) {
      return new Verdict(true, false, chosen);
    }
    // Every cell keeps the run's gates (see at), so they are checked once.
    List<Candidate> passing = RecordDecision.passingGates(pool, runPolicy);
    for (int i = 0; i < minLr.size(); i++) {
      for (int j = 0; j < minScr.size(); j++) {
        chosen[i][j] = RecordDecision.anyPassesThresholds(passing, policies[i][j]);
      }
    }
    return new Verdict(false, run.outcome() == RecordDecision.Outcome.CHOSEN, chosen);
  }
}
