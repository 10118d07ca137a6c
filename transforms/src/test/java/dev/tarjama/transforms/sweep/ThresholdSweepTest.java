package dev.tarjama.transforms.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.io.CandidateLines;
import dev.tarjama.transforms.io.OutputRecords;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sweep's grids, its reading of candidate lines and its per-pair policies. */
class ThresholdSweepTest {

  @Test
  void gridsStepInDecimalsWithBothEndsIncluded() {
    ThresholdGrid lr = ThresholdGrid.parse("--min-lr", "0.60:0.90:0.05");
    assertEquals(7, lr.size());
    assertEquals(0.9, lr.get(6));
    assertEquals(0.65, lr.get(1));
    assertEquals("0.6,0.65,0.7,0.75,0.8,0.85,0.9", lr.toString());
    assertEquals(3, ThresholdGrid.parse("--min-scr", "0.8, 0.9,0.95").size());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> ThresholdGrid.parse("--min-lr", "0.9:0.6:0.05")).getMessage().contains("no value"));
    assertThrows(IllegalArgumentException.class, () -> ThresholdGrid.parse("--min-lr", "0.5:1.5:0.5"));
    assertThrows(IllegalArgumentException.class, () -> ThresholdGrid.parse("--min-lr", "0.8,0.7"));
    assertThrows(IllegalArgumentException.class, () -> ThresholdGrid.parse("--min-lr", "a:b:c"));
  }

  @Test
  void aCandidateLineReadsBackAsTheCandidateItWasWrittenFrom() throws Exception {
    String record =
        Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl")).get(0);
    Candidate c = new Candidate("gsm8k_think.jsonl:1", "gsm8k_think", "SFT_SeedX_ranked", 1,
        record, true, "", "src", "tgt", 0.71, 0.98, false, Double.NaN, 0.845, 120, 130,
        QualityMeasures.none());
    Candidate back = CandidateLines.parse(OutputRecords.candidate(c).toString());
    assertEquals(new Candidate(c.recordId(), c.split(), c.backend(), c.candidate(),
        OutputRecords.candidate(c).get("record").asText(), true, "", "", "", 0.71, 0.98, false,
        Double.NaN, 0.845, 120, 130,
        QualityMeasures.none()), back);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CandidateLines.parse("{\"record_id\": \"x\", \"split\": \"s\", \"backend\": \"b\"}"));
    assertTrue(e.getMessage().contains("/candidate"), e.getMessage());
  }

  @Test
  void eachPairReplacesLrAndScrThresholdsEverywhereAndKeepsTheRest() {
    RankingPolicy run =
        RankingPolicy.parse("w-lr=2,min-lr=0.7,min-scr=0.8,min-rank-score=0.5,code:min-scr=0");
    RankingPolicy at = ThresholdSweep.at(run, 0.65, 0.9);
    assertEquals(0.65, at.thresholdsFor("code").minLr());
    assertEquals(0.9, at.thresholdsFor("code").minScr());
    assertEquals(0.5, at.thresholdsFor("code").minRankScore());
    assertEquals(2.0, at.lrWeight());
    assertEquals(List.of("code"), List.copyOf(at.splitThresholds().keySet()));
  }

  @Test
  void everyCellChoosesWhatAFullDecisionUnderItsPolicyWould() {
    RankingPolicy run = RankingPolicy.parse("min-lr=0.7,min-rank-score=0.5,code:min-scr=0,lines-max=1");
    ThresholdSweep sweep = new ThresholdSweep(run, ThresholdGrid.parse("--min-lr", "0.60:0.90:0.05"),
        ThresholdGrid.parse("--min-scr", "0.80:0.95:0.05"));
    java.util.Random random = new java.util.Random(11);
    int chosen = 0;
    int cells = 0;
    for (int trial = 0; trial < 300; trial++) {
      String split = random.nextBoolean() ? "chat" : "code";
      List<Candidate> pool = new java.util.ArrayList<>();
      for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
        // Around the grids (min-lr 0.6–0.9, min-scr 0.8–0.95), so the cells differ.
        double lr = 0.5 + random.nextInt(11) / 20.0;
        double scr = 0.7 + random.nextInt(7) / 20.0;
        Candidate c = Candidate.unscored("r" + trial, split, "b" + i, i, "{}", random.nextInt(6) > 0,
            "span missing", "s", "t", 3, 4).withMetrics(lr, scr, false)
            .withQuality(QualityMeasures.of(java.util.Map.of("lines",
                new QualityMeasures.Measure(random.nextInt(3), true, "lines"))));
        pool.add(c.withRankScore(run.rankScore(c)));
      }
      ThresholdSweep.Verdict v = sweep.decide("r" + trial, pool);
      for (int i = 0; i < sweep.minLr().size(); i++) {
        for (int j = 0; j < sweep.minScr().size(); j++) {
          RankingPolicy cell = ThresholdSweep.at(run, sweep.minLr().get(i), sweep.minScr().get(j));
          boolean full = dev.tarjama.transforms.rank.RecordDecision.decide("r" + trial, pool, cell)
              .outcome() == dev.tarjama.transforms.rank.RecordDecision.Outcome.CHOSEN;
          assertEquals(full, v.chosen()[i][j], pool + " at " + i + "," + j);
          chosen += full ? 1 : 0;
          cells++;
        }
      }
    }
    assertTrue(chosen > cells / 10 && chosen < cells * 9 / 10, chosen + " of " + cells + " chosen");
  }
}
