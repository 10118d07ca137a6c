package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gates, thresholds, per-split relaxations and weights, in one --policy spec. */
class QualityPolicyTest {

  private static Candidate withNumbers(String split, double value) {
    return Candidate.unscored("r", split, "b", 0, "{}", true, "", "s", "t", 0, 0)
        .withMetrics(1.0, 1.0, false)
        .withQuality(QualityMeasures.of(Map.of("numbers", new Measure(value, true, "missing 7"),
            "lines", new Measure(1, true, "2 lines for 1"))));
  }

  @Test
  void everySignalIsAGateByDefaultAndASplitCanTurnOneOff() {
    RankingPolicy policy = RankingPolicy.parse("code:numbers=off,lines-max=1");
    assertEquals(java.util.List.of("numbers (missing 7)"),
        policy.gateFailures(withNumbers("chat", 3)));
    assertTrue(policy.gateFailures(withNumbers("code", 3)).isEmpty());
    assertTrue(policy.gateFailures(withNumbers("chat", 1)).isEmpty(), "at the threshold passes");
    assertTrue(RankingPolicy.parse("qe=off").gateFailures(withNumbers("chat", 3)).isEmpty());
    assertEquals(policy, RankingPolicy.parse(policy.toSpec()));
    assertTrue(policy.toJson().contains("\"quality\""), policy.toJson());
  }

  @Test
  void aWeightedSignalMovesRankScoreInsteadOfGating() {
    RankingPolicy policy = RankingPolicy.parse("numbers=weight,w-numbers=2,lines=off");
    Candidate failing = withNumbers("chat", 3);
    Candidate passing = withNumbers("chat", 0);
    assertTrue(policy.gateFailures(failing).isEmpty());
    // (LR + SCR + 2*score) / 4: score 0 when failing, 1 when passing.
    assertEquals(0.5, policy.rankScore(failing), 1e-12);
    assertEquals(1.0, policy.rankScore(passing), 1e-12);
  }

  @Test
  void badEntriesNameThemselves() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RankingPolicy.parse("numbers=maybe"));
    assertTrue(e.getMessage().contains("'numbers=maybe'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RankingPolicy.parse("code:w-numbers=1"));
    assertTrue(e.getMessage().contains("weights are global"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RankingPolicy.parse("numbers-max=x"));
    assertTrue(e.getMessage().contains("not a number"), e.getMessage());
  }
}
