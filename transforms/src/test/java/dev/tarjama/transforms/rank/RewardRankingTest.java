package dev.tarjama.transforms.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.domain.Candidate;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Rewards in ranking: per-record normalization, weights, tie-breaks and preference pairs. */
class RewardRankingTest {

  private static Candidate rewarded(String backend, double lr, double scr, double reward) {
    return RankFixtures.valid("r", "chat", backend, 0, lr, scr).withReward(reward);
  }

  @Test
  void minMaxMapsTheRecordsBestToOneAndWorstToZero() {
    assertArrayEquals(new double[] {1.0, 0.0, 0.25, Double.NaN},
        RewardNormalization.MINMAX.normalize(new double[] {3.0, -1.0, 0.0, Double.NaN}), 1e-12);
  }

  @Test
  void zScoreGoesThroughTheLogisticSoTheMeanIsOneHalf() {
    double[] z = RewardNormalization.ZSCORE.normalize(new double[] {1.0, 3.0, Double.NaN});
    // mean 2, population deviation 1: z = -1 and +1.
    assertEquals(1 / (1 + Math.exp(1)), z[0], 1e-12);
    assertEquals(1 / (1 + Math.exp(-1)), z[1], 1e-12);
    assertTrue(Double.isNaN(z[2]));
    // Shifting and scaling a record's rewards changes nothing: only their order and spread count.
    assertArrayEquals(z, RewardNormalization.ZSCORE.normalize(new double[] {12, 32, Double.NaN}),
        1e-12);
  }

  @Test
  void equalRewardsOrASingleRewardCannotTellCandidatesApart() {
    for (RewardNormalization n : RewardNormalization.values()) {
      assertArrayEquals(new double[] {0.5, 0.5}, n.normalize(new double[] {2.0, 2.0}), 0.0);
      assertArrayEquals(new double[] {0.5, Double.NaN}, n.normalize(new double[] {-7, Double.NaN}),
          0.0);
    }
  }

  @Test
  void policySpecCarriesTheNormalizationAndTheReportRecordsIt() throws Exception {
    RankingPolicy policy = RankingPolicy.parse("w-reward=2,reward-normalization=minmax,min-lr=0.5");
    assertEquals(RewardNormalization.MINMAX, policy.rewardNormalization());
    assertEquals(2.0, policy.rewardWeight(), 0.0);
    assertEquals(policy, RankingPolicy.parse(policy.toSpec()));
    assertEquals("w-reward=2,reward-normalization=minmax,min-lr=0.5", policy.toSpec());
    JsonNode json = new ObjectMapper().readTree(policy.toJson());
    assertEquals("minmax", json.get("reward_normalization").asText());
    assertEquals("(1*LR + 1*SCR + 2*minmax(reward))/4, or (1*LR + 1*SCR)/2 without a reward",
        json.get("rank_score").asText());
    assertEquals(RewardNormalization.LOGISTIC, RankingPolicy.defaults().rewardNormalization());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RankingPolicy.parse("reward-normalization=rank"));
    assertTrue(e.getMessage().contains("'reward-normalization=rank'")
        && e.getMessage().contains("known: logistic, zscore, minmax"), e.getMessage());
  }

  @Test
  void theWinnerChangesWhenTheRewardWeighsEnough() {
    // a: better LR/SCR, worse reward; b: the reverse.
    List<Candidate> pool = List.of(rewarded("a", 0.95, 1.0, -2.0), rewarded("b", 0.70, 1.0, 1.5));
    RankingPolicy noReward = RankingPolicy.parse("w-reward=0");
    RankingPolicy reward = RankingPolicy.parse("w-reward=1,reward-normalization=minmax");
    assertEquals("a", winner(noReward, pool));
    assertEquals("b", winner(reward, pool));
    List<Candidate> scored = reward.withRankScores(pool);
    assertEquals((0.95 + 1.0 + 0.0) / 3, scored.get(0).rankScore(), 1e-12);
    assertEquals((0.70 + 1.0 + 1.0) / 3, scored.get(1).rankScore(), 1e-12);
    assertEquals(-2.0, scored.get(0).reward(), 0.0, "the raw reward is kept for the outputs");
  }

  @Test
  void aCandidateWithoutARewardGetsTheNeutralRewardOfItsRecord() {
    List<Candidate> scored = RankingPolicy.parse("w-reward=1").withRankScores(List.of(
        rewarded("a", 0.8, 1.0, Double.NaN), rewarded("b", 0.8, 1.0, 0.3)));
    assertEquals((0.8 + 1.0 + 0.5) / 3, scored.get(0).rankScore(), 1e-12);
    assertEquals((0.8 + 1.0 + 0.5) / 3, scored.get(1).rankScore(), 1e-12);
  }

  private static String winner(RankingPolicy policy, List<Candidate> pool) {
    RecordDecision d = RecordDecision.decide("r", policy.withRankScores(pool), policy);
    assertEquals(RecordDecision.Outcome.CHOSEN, d.outcome());
    return d.ranked().winner().backend();
  }

  @Test
  void equalRankScoresGoToTheHigherRewardBeforeScrAndName() {
    Candidate a = rewarded("a", 0.9, 0.9, 0.1).withRankScore(0.9);
    Candidate b = rewarded("b", 0.9, 0.9, 0.7).withRankScore(0.9);
    Candidate c = rewarded("c", 0.9, 0.9, Double.NaN).withRankScore(0.9);
    for (List<Candidate> order : List.of(List.of(a, b, c), List.of(c, b, a), List.of(b, c, a))) {
      assertEquals("b", RecordDecision.decide("r", order, RankingPolicy.defaults()).ranked().winner().backend());
    }
  }

  @Test
  void preferencePairIsBestVersusWorstValidWhenTheGapIsLargeEnough() throws Exception {
    Candidate best = rewarded("a", 0.9, 1.0, 1).withRankScore(0.95);
    Candidate middle = rewarded("b", 0.8, 1.0, 0).withRankScore(0.90);
    Candidate worst = RankFixtures.valid("r", "chat", "c", 1, 0.5, 1.0);
    worst = Candidate.unscored("r", "chat", "c", 1, worst.json(), true, "", "Hi", "هلا", 3, 4)
        .withMetrics(0.5, 1.0, false).withRankScore(0.75);
    Candidate invalid = RankFixtures.invalid("r", "chat", "d", 0, 0.1, 0.1, "placeholder missing");

    PreferencePair pair =
        PreferencePair.of(RankFixtures.source("r"), List.of(middle, invalid, worst, best), 0.05).orElseThrow();
    assertEquals("a", pair.chosen().backend());
    assertEquals("c", pair.rejected().backend(), "the worst valid, never an invalid candidate");
    assertEquals(0.2, pair.gap(), 1e-12);
    assertEquals(pair, CoderUtils.decodeFromByteArray(new PreferencePair.Coder(),
        CoderUtils.encodeToByteArray(new PreferencePair.Coder(), pair)));

    assertEquals(Optional.empty(), PreferencePair.of(RankFixtures.source("r"), List.of(best, worst), 0.2), "gap 0.2 not > 0.2");
    assertEquals(Optional.empty(), PreferencePair.of(RankFixtures.source("r"), List.of(best, invalid), 0.0), "one valid");
    assertEquals(Optional.empty(), PreferencePair.of(RankFixtures.source("r"), List.of(best, middle), 0.05),
        "same translation text: nothing to prefer");
    assertFalse(PreferencePair.of(RankFixtures.source("r"), List.of(best, middle, worst), 0.0).isEmpty());
  }
}
