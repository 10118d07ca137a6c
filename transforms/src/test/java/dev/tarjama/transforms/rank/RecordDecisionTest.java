package dev.tarjama.transforms.rank;

import static dev.tarjama.transforms.rank.RankFixtures.invalid;
import static dev.tarjama.transforms.rank.RankFixtures.untranslated;
import static dev.tarjama.transforms.rank.RankFixtures.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.rank.RecordDecision.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordDecisionTest {
  private static final RankingPolicy DEFAULT = RankingPolicy.defaults();

  private static RecordDecision decide(RankingPolicy policy, Candidate... pool) {
    return RecordDecision.decide("r1", List.of(pool), policy);
  }

  @Test
  void bestMeanOfLrAndScrWins() {
    Candidate gemma = valid("r1", "s", "gemma", 0, 0.80, 1.00); // 0.9
    Candidate seedx = valid("r1", "s", "seedx", 0, 0.95, 0.80); // 0.875: better LR, worse mean
    RecordDecision d = decide(DEFAULT, seedx, gemma);
    assertEquals(Outcome.CHOSEN, d.outcome());
    assertEquals(new RankedRecord("r1", "s", gemma, 2, 2, ""), d.ranked());
    assertNull(d.deadLetter());
  }

  @Test
  void invalidNeverWinsEvenWithTheHigherScore() {
    Candidate broken = invalid("r1", "s", "gemma", 0, 1.0, 1.0, "span ⟦0⟧ missing");
    Candidate plain = valid("r1", "s", "seedx", 0, 0.6, 0.6);
    RecordDecision d = decide(DEFAULT, broken, plain);
    assertSame(plain, d.ranked().winner());
    assertEquals(1, d.ranked().validCount());
    assertEquals(2, d.ranked().candidateCount());
  }

  @Test
  void tiesBreakByScrThenTheStableTieHashWhateverTheArrivalOrder() {
    Candidate lowScr = valid("r1", "s", "a", 0, 0.9, 0.8); // 0.85
    Candidate b1 = valid("r1", "s", "b", 1, 0.8, 0.9); // 0.85, SCR 0.9
    Candidate b0 = valid("r1", "s", "b", 0, 0.8, 0.9);
    Candidate c0 = valid("r1", "s", "c", 0, 0.8, 0.9);
    List<Candidate> pool = new ArrayList<>(List.of(lowScr, b1, b0, c0));
    Random random = new Random(1);
    for (int i = 0; i < 24; i++) {
      Collections.shuffle(pool, random);
      assertSame(b0, RecordDecision.decide("r1", pool, DEFAULT).ranked().winner(), pool.toString());
    }
    List<Candidate> sorted = new ArrayList<>(pool);
    sorted.sort(RecordDecision.BEST_FIRST);
    assertEquals(List.of(b0, b1, c0, lowScr), sorted);
  }

  @Test
  void thresholdsFilterThenRankingChoosesAmongSurvivors() {
    RankingPolicy policy = RankingPolicy.parse("min-lr=0.6");
    Candidate tooShort = valid("r1", "s", "gemma", 0, 0.41, 1.0); // 0.705, best, fails LR
    Candidate fine = valid("r1", "s", "seedx", 0, 0.7, 0.65); // 0.675, passes
    assertSame(fine, decide(policy, tooShort, fine).ranked().winner());

    RecordDecision d = decide(policy, tooShort);
    assertEquals(Outcome.REJECTED, d.outcome());
    assertEquals(new RankedRecord("r1", "s", tooShort, 1, 1, "below threshold: LR 0.41 < 0.6"),
        d.ranked());
  }

  @Test
  void noValidCandidateIsRejectedWithEveryReason() {
    Candidate a = invalid("r1", "s", "seedx", 1, 0.9, 0.9, "span ⟦2⟧ missing");
    Candidate b = untranslated("r1", "s", "gemma", 0, "translation failed at /messages/1/content");
    RecordDecision d = decide(DEFAULT, a, b);
    assertEquals(Outcome.REJECTED, d.outcome());
    assertSame(a, d.ranked().winner());
    assertEquals("no valid candidate: gemma/0: translation failed at /messages/1/content;"
        + " seedx/1: span ⟦2⟧ missing", d.ranked().reason());
  }

  @Test
  void everyCandidateUntranslatedIsADeadLetter() {
    Candidate a = untranslated("r1", "s", "seedx", 0,
        "translation failed at /messages/1/content: HTTP 503 after 5 attempts");
    Candidate b = untranslated("r1", "s", "gemma", 0, "translation failed: connect timed out");
    RecordDecision d = decide(DEFAULT, a, b);
    assertEquals(Outcome.DEAD_LETTER, d.outcome());
    assertNull(d.ranked());
    assertEquals(DeadLetter.of("r1", "translate", "/messages/1/content",
        "every candidate failed to translate: gemma/0: translation failed: connect timed out;"
            + " seedx/0: translation failed at /messages/1/content: HTTP 503 after 5 attempts",
        RankFixtures.ORIGINAL), d.deadLetter());
  }

  @Test
  void fieldIsTheJsonPointerAReasonNames() {
    assertEquals("/messages/1/content", RecordDecision.fieldNamedBy(
        "translation failed at /messages/1/content: HTTP 503"));
    assertEquals("/conversations/0/value", RecordDecision.fieldNamedBy(
        "translation failed for field /conversations/0/value (chunk 2)"));
    assertEquals("", RecordDecision.fieldNamedBy(
        "translation failed: POST http://127.0.0.1:8000/v1/chat/completions: 500"));
  }

  @Test
  void unscoredValidCandidateCannotWin() {
    Candidate unscored = Candidate.unscored("r1", "s", "gemma", 0, "{}", true, "", "Hi", "مرحبا",
        1, 1);
    RecordDecision d = decide(DEFAULT, unscored);
    assertEquals(Outcome.REJECTED, d.outcome());
    assertEquals("no valid candidate: gemma/0: not scored", d.ranked().reason());
  }

  @Test
  void choosesAnyAgreesWithTheFullDecisionOnRandomPools() {
    Random random = new Random(7);
    String[] policies = {"", "min-lr=0.6", "min-lr=0.7,min-scr=0.9", "min-scr=0.85",
        "min-lr=0.6,code:min-lr=0.8", "min-rank-score=0.75", "lines-max=1"};
    int chosen = 0;
    int notChosen = 0;
    for (int trial = 0; trial < 2000; trial++) {
      List<Candidate> pool = new ArrayList<>();
      int n = 1 + random.nextInt(4);
      String split = random.nextBoolean() ? "chat" : "code";
      for (int i = 0; i < n; i++) {
        double lr = random.nextInt(11) / 10.0;
        double scr = random.nextInt(11) / 10.0;
        Candidate c = switch (random.nextInt(5)) {
          case 0 -> invalid("r", split, "b" + i, i, lr, scr, "span ⟦0⟧ missing");
          case 1 -> untranslated("r", split, "b" + i, i, "translation failed at /messages/0/content");
          case 2 -> valid("r", split, "b" + i, i, lr, scr).withQuality(
              dev.tarjama.transforms.domain.QualityMeasures.of(java.util.Map.of("lines",
                  new dev.tarjama.transforms.domain.QualityMeasures.Measure(random.nextInt(3), true, "lines"))));
          default -> valid("r", split, "b" + i, i, lr, scr);
        };
        pool.add(c);
      }
      RankingPolicy policy = RankingPolicy.parse(policies[random.nextInt(policies.length)]);
      boolean expected = RecordDecision.decide("r", pool, policy).outcome() == Outcome.CHOSEN;
      assertEquals(expected, RecordDecision.choosesAny(pool, policy), pool + " under " + policy);
      if (expected) {
        chosen++;
      } else {
        notChosen++;
      }
    }
    assertTrue(chosen > 200 && notChosen > 200, chosen + " chosen, " + notChosen + " not");
  }
}
