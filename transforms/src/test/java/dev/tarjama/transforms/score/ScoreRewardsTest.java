package dev.tarjama.transforms.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.reward.RewardModelConfig;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ScoreRewards with the bundled tiny reward model on held-out Tatoeba pairs: per record, the human
 * translation, the English left untranslated, and an invalid candidate.
 */
@ExtendWith(TestPipelineExtension.class)
class ScoreRewardsTest {
  static final Path TESTDATA = Path.of(System.getProperty("tarjama.testdata"));
  static final Path TINY = TESTDATA.resolve("models/tiny-reward");
  static final int RECORDS = 60;

  static List<Candidate> candidates() throws Exception {
    List<String> en = Files.readAllLines(TESTDATA.resolve("eval/tatoeba_heldout.en.txt"));
    List<String> ar = Files.readAllLines(TESTDATA.resolve("eval/tatoeba_heldout.ar.txt"));
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      String id = "tatoeba:" + i;
      // Equal LR and SCR, so that rank_score differs by the reward alone.
      out.add(candidate(id, "human", 0, true, en.get(i), ar.get(i)));
      out.add(candidate(id, "copy", 0, true, en.get(i), en.get(i)));
      out.add(candidate(id, "broken", 0, false, en.get(i), ar.get(i)));
    }
    return out;
  }

  static Candidate candidate(
      String id, String backend, int index, boolean valid, String source, String target) {
    Candidate c = Candidate.unscored(id, "tatoeba", backend, index, "{\"text\":\"x\"}", valid,
        valid ? "" : "protected span ⟦0⟧ missing", source, target, 3, 4);
    return c.withMetrics(0.9, 1.0, false).withRankScore(0.95);
  }

  @Test
  void everyValidCandidateGetsARewardAndTheRewardRanksWithinTheRecord(TestPipeline pipeline)
      throws Exception {
    RankingPolicy policy = RankingPolicy.parse("w-reward=1");
    PCollectionTuple out =
        pipeline
            .apply(Create.of(candidates()))
            .apply(ScoreRewards.with(RewardModelHandler.of(TINY)).withPolicy(policy));

    PAssert.that(out.get(ScoreRewards.FAILURES)).empty();
    PAssert.that(out.get(ScoreRewards.SCORED)).satisfies(scored -> {
      Map<String, Map<String, Candidate>> byRecord = new HashMap<>();
      int count = 0;
      for (Candidate c : scored) {
        count++;
        byRecord.computeIfAbsent(c.recordId(), k -> new HashMap<>()).put(c.backend(), c);
        if (c.valid()) {
          assertTrue(Double.isFinite(c.reward()), c.toString());
        } else {
          assertTrue(Double.isNaN(c.reward()), "invalid candidates are not scored: " + c);
          assertEquals((0.9 + 1.0 + 0.5) / 3, c.rankScore(), 1e-12,
              "without a reward: the record's neutral reward, on its siblings' scale");
        }
      }
      assertEquals(3 * RECORDS, count, "every candidate comes out once");
      int humanFirst = 0;
      for (Map<String, Candidate> record : byRecord.values()) {
        Candidate human = record.get("human");
        Candidate copy = record.get("copy");
        // Two rewarded candidates, logistic of the reward minus their mean: σ(±gap/2).
        double halfGap = Math.abs(human.reward() - copy.reward()) / 2;
        double high = (0.9 + 1.0 + 1 / (1 + Math.exp(-halfGap))) / 3;
        double low = (0.9 + 1.0 + 1 / (1 + Math.exp(halfGap))) / 3;
        boolean humanBetter = human.reward() > copy.reward();
        assertEquals(humanBetter ? high : low, human.rankScore(), 1e-9);
        assertEquals(humanBetter ? low : high, copy.rankScore(), 1e-9);
        humanFirst += humanBetter ? 1 : 0;
      }
      assertTrue(humanFirst >= 0.9 * RECORDS,
          "the human translation outranks the untranslated copy in " + humanFirst);
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aCandidateTheModelFailsOnKeepsNoRewardAndBecomesANamedFailure(TestPipeline pipeline)
      throws Exception {
    // The tiny model knows 256 positions; allowed 4096 tokens, a long pair makes ONNX Runtime fail
    // (an index out of range), as a real model fails past its context.
    RewardModelHandler handler =
        RewardModelHandler.of(RewardModelConfig.of(TINY).withMaxTokens(4096));
    List<Candidate> input = new ArrayList<>(candidates().subList(0, 9));
    String longText = "Tom lives in Boston and works in a bank. ".repeat(60);
    Candidate tooLong = candidate("long:1", "human", 2, true, longText, longText);
    input.add(tooLong);
    String tooLongJson = tooLong.json();

    PCollectionTuple out =
        pipeline
            .apply(Create.of(input))
            .apply(ScoreRewards.with(handler).withPolicy(RankingPolicy.parse("w-reward=1")));

    PAssert.that(out.get(ScoreRewards.FAILURES)).satisfies(failures -> {
      List<DeadLetter> all = new ArrayList<>();
      failures.forEach(all::add);
      assertEquals(1, all.size());
      DeadLetter d = all.get(0);
      assertEquals("long:1", d.recordId());
      assertEquals(ScoreRewards.STAGE, d.stage());
      assertTrue(d.error().startsWith("reward model: record long:1 candidate human/2: "), d.error());
      assertEquals(tooLongJson, d.original());
      return null;
    });
    PAssert.that(out.get(ScoreRewards.SCORED)).satisfies(scored -> {
      int count = 0;
      for (Candidate c : scored) {
        count++;
        if (c.recordId().equals("long:1")) {
          assertTrue(Double.isNaN(c.reward()));
          assertEquals(0.95, c.rankScore(), 1e-12, "ranked on LR and SCR alone");
        } else if (c.valid()) {
          assertTrue(Double.isFinite(c.reward()), c.toString());
        }
      }
      assertEquals(10, count, "a failure never drops a candidate");
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
