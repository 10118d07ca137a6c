package dev.tarjama.transforms.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Candidate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review findings on ranking: the reward gap's size, failed rewards' scale, tie-breaks. */
class RankingFixesTest {

  private static Candidate rewarded(String record, String backend, double reward) {
    return RankFixtures.valid(record, "chat", backend, 0, 0.9, 1.0).withReward(reward);
  }

  private static double gap(RankingPolicy policy, double rewardA, double rewardB) {
    List<Candidate> scored =
        policy.withRankScores(List.of(rewarded("r", "a", rewardA), rewarded("r", "b", rewardB)));
    return scored.get(1).rankScore() - scored.get(0).rankScore();
  }

  @Test
  void withTwoCandidatesTheDefaultNormalizationKeepsTheSizeOfTheRewardGap() {
    RankingPolicy policy = RankingPolicy.parse("w-reward=1");
    double tiny = gap(policy, 0.0, 1e-6);
    double large = gap(policy, 0.0, 3.0);
    assertTrue(tiny > 0 && tiny < 1e-5, "a 1e-6 reward gap barely moves rank_score: " + tiny);
    assertTrue(large > 0.2, "a large reward gap moves it a lot: " + large);
    // Shifting both rewards changes nothing: rewards are compared within the record.
    assertEquals(large, gap(policy, 10.0, 13.0), 1e-12);
  }

  @Test
  void aCandidateWhoseRewardFailedIsScoredOnItsSiblingsScale() {
    RankingPolicy policy = RankingPolicy.parse("w-reward=1");
    Candidate failed = RankFixtures.valid("r", "chat", "c", 0, 0.9, 1.0); // reward NaN
    List<Candidate> scored =
        policy.withRankScores(List.of(rewarded("r", "a", -1.0), rewarded("r", "b", 1.0), failed));
    // The same three-term formula with the record's neutral reward (one half), not (LR+SCR)/2,
    // which would put it above a sibling with the same LR and SCR and a below-average reward.
    assertEquals((0.9 + 1.0 + 0.5) / 3, scored.get(2).rankScore(), 1e-12);
    assertTrue(scored.get(0).rankScore() < scored.get(2).rankScore());
    assertTrue(scored.get(2).rankScore() < scored.get(1).rankScore());
  }

  @Test
  void exactTiesAreBrokenByAStableHashNotByBackendName() {
    int winsOfA = 0;
    for (int i = 0; i < 400; i++) {
      String record = "file.jsonl:" + i;
      List<Candidate> pool = new ArrayList<>(List.of(
          RankFixtures.valid(record, "chat", "a", 0, 0.9, 1.0),
          RankFixtures.valid(record, "chat", "b", 0, 0.9, 1.0)));
      String first = RecordDecision.decide(record, pool, RankingPolicy.defaults()).ranked().winner().backend();
      Collections.reverse(pool);
      String again = RecordDecision.decide(record, pool, RankingPolicy.defaults()).ranked().winner().backend();
      assertEquals(first, again, "the winner of a tie does not depend on arrival order");
      if (first.equals("a")) {
        winsOfA++;
      }
    }
    assertTrue(winsOfA > 160 && winsOfA < 240, "ties split about evenly, a won " + winsOfA);
  }

  @Test
  void theTieHashIsAFixedFunctionOfRecordBackendAndCandidate() {
    long h = RecordDecision.tieHash("file.jsonl:7", "a", 0);
    assertEquals(h, RecordDecision.tieHash("file.jsonl:7", "a", 0));
    assertTrue(h != RecordDecision.tieHash("file.jsonl:7", "a", 1));
    assertTrue(h != RecordDecision.tieHash("file.jsonl:7", "b", 0));
    assertTrue(h != RecordDecision.tieHash("file.jsonl:8", "a", 0));
  }
}
