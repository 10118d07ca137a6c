package dev.tarjama.models.reward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the embedded default meaning signal (the bundled tiny reward model, whose training
 * includes mismatched-sentence and cut-in-half negatives) catches on the split it was never
 * trained on: the 500 held-out Tatoeba pairs of testdata/eval/ (make_tiny_reward_model.py trains
 * on the rest of Tatoeba and on XQuAD). "Unrelated" = the human translation of another held-out
 * sentence; caught = the reference gets the higher reward. The figures are printed for the README;
 * the bounds below only guard against a regression of the bundled model.
 */
class MeaningHeldOutTest {

  @Test
  void theRewardModelRanksTheReferenceAboveUnrelatedAndCutTranslations() throws Exception {
    List<String> en = RewardModelTest.lines("tatoeba_heldout.en.txt");
    List<String> ar = RewardModelTest.lines("tatoeba_heldout.ar.txt");
    int n = en.size();
    try (RewardModel model = RewardModel.load(RewardModelTest.TINY)) {
      double[] reference = score(model, en, ar);
      double nextSentence = caught(reference, score(model, en, shifted(ar, 1)));
      double farSentence = caught(reference, score(model, en, shifted(ar, n / 2)));
      List<String> cut = new ArrayList<>();
      for (String a : ar) {
        String[] words = a.split(" ");
        cut.add(words.length < 2 ? a : String.join(" ", List.of(words).subList(0, words.length / 2)));
      }
      int cuttable = 0;
      int cutCaught = 0;
      double[] cutScores = score(model, en, cut);
      for (int i = 0; i < n; i++) {
        if (!cut.get(i).equals(ar.get(i))) {
          cuttable++;
          cutCaught += reference[i] > cutScores[i] ? 1 : 0;
        }
      }
      System.out.printf(
          "held-out Tatoeba (%d pairs): unrelated ranked below the reference %.3f (next sentence),"
              + " %.3f (sentence %d away); first half only %.3f of %d%n",
          n, nextSentence, farSentence, n / 2, (double) cutCaught / cuttable, cuttable);
      assertTrue(nextSentence > 0.6 && farSentence > 0.6, nextSentence + " " + farSentence);
      assertTrue((double) cutCaught / cuttable > 0.6, cutCaught + " of " + cuttable);
    }
  }

  private static List<String> shifted(List<String> ar, int by) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ar.size(); i++) {
      out.add(ar.get((i + by) % ar.size()));
    }
    return out;
  }

  private static double caught(double[] reference, double[] other) {
    int caught = 0;
    for (int i = 0; i < reference.length; i++) {
      caught += reference[i] > other[i] ? 1 : 0;
    }
    return (double) caught / reference.length;
  }

  private static double[] score(RewardModel model, List<String> en, List<String> ar)
      throws Exception {
    double[] out = new double[en.size()];
    for (int i = 0; i < en.size(); i += 50) {
      int end = Math.min(en.size(), i + 50);
      double[] batch = model.score(en.subList(i, end), ar.subList(i, end));
      System.arraycopy(batch, 0, out, i, batch.length);
    }
    return out;
  }
}
