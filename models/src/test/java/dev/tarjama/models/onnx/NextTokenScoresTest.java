package dev.tarjama.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NextTokenScoresTest {
  private static final float NEG = Float.NEGATIVE_INFINITY;

  @Test
  void logProbabilitiesAreALogSoftmaxWithBannedTokensMasked() {
    NextTokenScores scores = new NextTokenScores(new int[] {0}, List.of(), -1);
    float[] logits = {5f, 1f, 1f, 2f};
    float[] lp = scores.logProbabilities(logits, new int[0], 0, 1);
    assertEquals(NEG, lp[0]);
    double mass = 0;
    for (int v = 1; v < lp.length; v++) {
      mass += Math.exp(lp[v]);
    }
    assertEquals(1.0, mass, 1e-6);
    // e^2 / (e + e + e^2)
    assertEquals(Math.log(Math.exp(2) / (2 * Math.E + Math.exp(2))), lp[3], 1e-6);
    assertEquals(5f, logits[0], "the step's logits are not changed");
    assertEquals(3, NextTokenScores.argmax(lp));
  }

  @Test
  void aBadWordsLastTokenIsBannedOnlyAfterItsPrefix() {
    NextTokenScores scores = new NextTokenScores(new int[0], List.of(new int[] {7, 2}), -1);
    float[] logits = {0f, 0f, 9f, 0f};
    int[] afterPrefix = {4, 7};
    assertEquals(NEG, scores.logProbabilities(logits, afterPrefix, 2, 2)[2]);
    int[] elsewhere = {4, 6};
    assertEquals(2, NextTokenScores.argmax(scores.logProbabilities(logits, elsewhere, 2, 2)));
  }

  @Test
  void theForcedFirstTokenIsTheOnlyChoiceAtTheFirstStep() {
    NextTokenScores scores = new NextTokenScores(new int[0], List.of(), 1);
    float[] logits = {3f, -4f, 2f};
    float[] first = scores.logProbabilities(logits, new int[0], 0, 0);
    assertEquals(0f, first[1]);
    assertEquals(NEG, first[0]);
    assertEquals(0, NextTokenScores.argmax(scores.logProbabilities(logits, new int[] {1}, 1, 1)));
  }

  @Test
  void samplingDrawsOnlyFromTheTopPNucleusAndNeverABannedToken() {
    NextTokenScores scores = new NextTokenScores(new int[] {3}, List.of(), -1);
    float[] logits = {4f, 3.5f, -3f, 9f, -3f};
    float[] lp = scores.logProbabilities(logits, new int[0], 0, 1);
    SplittableRandom random = new SplittableRandom(42);
    Set<Integer> drawn = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      drawn.add(NextTokenScores.sample(logits, lp, 1.0, 0.9, random));
    }
    // p(0) ≈ 0.62, p(1) ≈ 0.38 of the unbanned mass: the 0.9 nucleus is {0, 1}.
    assertEquals(Set.of(0, 1), drawn);
    Set<Integer> all = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      all.add(NextTokenScores.sample(logits, lp, 1.0, 1.0, random));
    }
    assertTrue(!all.contains(3), "a banned token was drawn");
    assertTrue(all.contains(2) || all.contains(4), "top-p 1.0 keeps the tail: " + all);
  }
}
