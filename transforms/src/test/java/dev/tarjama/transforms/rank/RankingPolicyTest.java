package dev.tarjama.transforms.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.domain.Candidate;
import java.util.Optional;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

class RankingPolicyTest {

  private static Candidate scored(String split, double lr, double scr) {
    Candidate c = Candidate.unscored("r", split, "gemma", 0, "{}", true, "", "s", "t", 1, 1)
        .withMetrics(lr, scr, false);
    return c.withRankScore(RankingPolicy.defaults().rankScore(c));
  }

  @Test
  void defaultIsTheMeanOfLrAndScrAsInReleasedSmolKalamRows() {
    RankingPolicy policy = RankingPolicy.defaults();
    // A released SmolKalam row: LR 0.988602, SCR 0.783572, rank_score 0.886087.
    assertEquals(0.886087, policy.rankScore(0.988602, 0.783572, Double.NaN), 1e-12);
    assertEquals((0.41 + 0.97) / 2, policy.rankScore(0.41, 0.97, Double.NaN), 0.0);
    assertEquals("(LR + SCR)/2", policy.formula());
    assertTrue(policy.globalThresholds().isEmpty());
    assertEquals("", policy.toSpec());
  }

  @Test
  void weightsAndReservedReward() {
    RankingPolicy weighted = RankingPolicy.parse("w-lr=1,w-scr=3");
    assertEquals((0.5 + 3 * 1.0) / 4, weighted.rankScore(0.5, 1.0, Double.NaN), 1e-12);

    RankingPolicy withReward = RankingPolicy.defaults().withRewardWeight(2);
    assertEquals((0.6 + 0.8 + 2 * 0.1) / 4, withReward.rankScore(0.6, 0.8, 0.1), 1e-12);
    assertEquals((0.6 + 0.8) / 2, withReward.rankScore(0.6, 0.8, Double.NaN), 1e-12,
        "no reward (NaN): the term drops out");
    assertEquals((0.6 + 0.8) / 2, RankingPolicy.defaults().rankScore(0.6, 0.8, 0.1), 1e-12,
        "w-reward 0 (default): a reward is ignored");
    assertTrue(Double.isNaN(RankingPolicy.defaults().rankScore(Double.NaN, 0.8, Double.NaN)));
  }

  @Test
  void parsesGlobalAndPerSplitThresholds() {
    RankingPolicy policy =
        RankingPolicy.parse(" min-lr=0.6, min-scr=0.8 ,code_split:min-scr=0.0,min-rank-score=0.5");
    assertEquals(Thresholds.parse("min-lr=0.6,min-scr=0.8,min-rank-score=0.5"),
        policy.thresholdsFor("chat"));
    Thresholds code = policy.thresholdsFor("code_split");
    assertEquals(0.0, code.minScr(), 0.0);
    assertEquals(0.6, code.minLr(), 0.0, "a split overrides field by field, LR stays global");
    assertEquals(0.5, code.minRankScore(), 0.0);

    assertEquals(Optional.of("LR 0.41 < 0.6"), policy.violation(scored("chat", 0.41, 0.95)));
    assertEquals(Optional.of("SCR 0.03 < 0.8; rank_score 0.45 < 0.5"),
        policy.violation(scored("chat", 0.87, 0.03)));
    assertEquals(Optional.empty(), policy.violation(scored("code_split", 0.97, 0.03)));
    assertEquals(Optional.of("LR 0.5 < 0.6"), policy.violation(scored("code_split", 0.5, 0.9)));
  }

  @Test
  void builderAndSpecAgreeAndRoundTrip() {
    RankingPolicy built = RankingPolicy.defaults()
        .withWeights(2, 1)
        .withThresholds(Thresholds.none().withMinLr(0.6).withMinScr(0.8))
        .perSplit("code", Thresholds.none().withMinScr(0.0));
    RankingPolicy parsed = RankingPolicy.parse("w-lr=2,min-lr=0.6,min-scr=0.8,code:min-scr=0.0");
    assertEquals(built, parsed);
    assertEquals("w-lr=2,min-lr=0.6,min-scr=0.8,code:min-scr=0", built.toSpec());
    assertEquals(built, RankingPolicy.parse(built.toSpec()));
    assertEquals(
        "rank_score = (2*LR + 1*SCR)/3; thresholds min-lr=0.6,min-scr=0.8;"
            + " code: min-lr=0.6,min-scr=0",
        built.describe());
    assertEquals(RankingPolicy.defaults(), RankingPolicy.parse("  "));
    assertEquals(0.7, RankingPolicy.parse("min-lr=0.6,min-lr=0.7").globalThresholds().minLr(), 0.0,
        "a later entry wins");
  }

  @Test
  void toJsonRecordsFormulaWeightsAndEffectiveSplitThresholds() throws Exception {
    RankingPolicy policy = RankingPolicy.parse("min-lr=0.6,min-scr=0.8,code:min-scr=0");
    JsonNode json = new ObjectMapper().readTree(policy.toJson());
    assertEquals("(LR + SCR)/2", json.get("rank_score").asText());
    assertEquals(1.0, json.get("weights").get("lr").asDouble(), 0.0);
    assertEquals(0.0, json.get("weights").get("reward").asDouble(), 0.0);
    assertEquals(0.8, json.get("thresholds").get("min_scr").asDouble(), 0.0);
    assertFalse(json.get("thresholds").has("min_rank_score"));
    assertEquals(0.0, json.get("per_split").get("code").get("min_scr").asDouble(), 0.0);
    assertEquals(0.6, json.get("per_split").get("code").get("min_lr").asDouble(), 0.0);
    assertEquals(policy.toSpec(), json.get("spec").asText());
  }

  @Test
  void badSpecsNameTheEntry() {
    assertMessage("min-lr", "min-lr");
    assertMessage("min-lr=high", "'high' is not a number");
    assertMessage("min-lr=1.5", "min-lr=1.5' must be in [0, 1]");
    assertMessage("max-lr=0.5", "unknown threshold 'max-lr'");
    assertMessage("code:w-lr=2", "weights are global");
    assertMessage(":min-scr=0", "empty split name");
    assertMessage("w-scr=-1", "w-scr must be a finite weight >= 0");
    assertMessage("w-lr=0,w-scr=0", "w-lr + w-scr must be > 0");
  }

  private static void assertMessage(String spec, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RankingPolicy.parse(spec));
    assertTrue(e.getMessage().contains(expected), spec + " → " + e.getMessage());
  }

  @Test
  void survivesJavaSerializationInsideDoFns() {
    RankingPolicy policy = RankingPolicy.parse("min-lr=0.6,code:min-scr=0");
    assertEquals(policy, SerializableUtils.clone(policy));
  }
}
