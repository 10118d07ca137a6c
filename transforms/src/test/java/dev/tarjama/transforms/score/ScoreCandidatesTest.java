package dev.tarjama.transforms.score;

import dev.tarjama.transforms.domain.ModelCoders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.score.LengthRatioCalibration.HumanPair;
import dev.tarjama.models.testing.DataKit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ScoreCandidates on a real human translation (XQuAD). SCR is injected: {@link #arabicShare}, an
 * independent stand-in (Arabic-script letters ÷ letters, no whitelist), so these tests check the
 * wiring and LR, not ScriptPurity, which has its own tests.
 */
@ExtendWith(TestPipelineExtension.class)
class ScoreCandidatesTest {
  private static final double R0 = 0.8166;

  static ScriptPurity.Result arabicShare(String text, String script) {
    assertEquals("Arab", script);
    long letters = text.codePoints().filter(Character::isLetter).count();
    long arabic = text.codePoints().filter(Character::isLetter)
        .filter(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.ARABIC).count();
    return letters == 0 ? new ScriptPurity.Result(1.0, true)
        : new ScriptPurity.Result((double) arabic / letters, false);
  }

  private static HumanPair xquadContext() throws Exception {
    return LengthRatioCalibration.readXquad(DataKit.data("eval/xquad/xquad.en.json"),
        DataKit.data("eval/xquad/xquad.ar.json")).get(0);
  }

  private static Candidate unscored(String backend, boolean valid, String source, String target) {
    return Candidate.unscored("xquad:0", "xquad", backend, 0, "{}", valid,
        valid ? "" : "span ⟦0⟧ missing", source, target, 10, 20);
  }

  private static ScoreCandidates scorer() {
    return ScoreCandidates.forScript("Arab").withR0(R0).withScriptPurity(ScoreCandidatesTest::arabicShare);
  }

  @Test
  void humanTranslationsScoreHighAndTruncatedOnesLow() throws Exception {
    List<HumanPair> contexts = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    JsonNode en = json.readTree(DataKit.data("eval/xquad/xquad.en.json").toFile()).get("data");
    JsonNode ar = json.readTree(DataKit.data("eval/xquad/xquad.ar.json").toFile()).get("data");
    for (int a = 0; a < en.size(); a++) {
      for (int i = 0; i < en.get(a).get("paragraphs").size(); i++) {
        contexts.add(new HumanPair(
            en.get(a).get("paragraphs").get(i).get("context").asText(),
            ar.get(a).get("paragraphs").get(i).get("context").asText()));
      }
    }
    assertEquals(240, contexts.size());
    double[] lr = new double[contexts.size()];
    double[] halves = new double[contexts.size()];
    int atLeast08 = 0;
    for (int i = 0; i < lr.length; i++) {
      HumanPair pair = contexts.get(i);
      Candidate scored = scorer().score(unscored("human", true, pair.source(), pair.target()));
      double r = (double) LengthRatio.length(pair.target()) / LengthRatio.length(pair.source());
      assertEquals(Math.min(r / R0, R0 / r), scored.lr(), 1e-12);
      assertEquals(arabicShare(pair.target(), "Arab").score(), scored.scr(), 0.0);
      assertEquals((scored.lr() + scored.scr()) / 2, scored.rankScore(), 0.0);
      lr[i] = scored.lr();
      atLeast08 += scored.lr() >= 0.8 ? 1 : 0;

      String half = pair.target().substring(0, pair.target().length() / 2);
      halves[i] = scorer().score(unscored("cut", true, pair.source(), half)).lr();
    }
    Arrays.sort(halves);
    assertTrue(halves[halves.length / 2] < 0.6, "median LR of half translations " + halves[120]);
    Arrays.sort(lr);
    assertTrue(lr[lr.length / 2] > 0.9, "median LR of professional translations " + lr[120]);
    assertTrue(atLeast08 >= 0.95 * lr.length, atLeast08 + " of 240 at LR >= 0.8");
  }

  @Test
  void everyCandidateIsScoredInThePipelineInvalidOnesToo(TestPipeline p) throws Exception {
    HumanPair pair = xquadContext();
    Candidate human = unscored("human", true, pair.source(), pair.target());
    Candidate copied = unscored("copy", true, pair.source(), pair.source()); // untranslated
    Candidate broken = unscored("broken", false, pair.source(), pair.target());
    Candidate empty = unscored("empty", true, pair.source(), "");
    Candidate digits = unscored("digits", true, "⟦0⟧ 2 + 2", "⟦0⟧ ٢ + ٢");

    PCollection<Candidate> scored = p.apply(Create.of(human, copied, broken, empty, digits)
            .withCoder(new ModelCoders.CandidateCoder()))
        .apply(scorer().withPolicy(RankingPolicy.parse("w-scr=3")));

    double lrHuman = LengthRatio.measure(pair.source(), pair.target(), R0).score();
    double scrHuman = arabicShare(pair.target(), "Arab").score();
    double lrCopy = R0; // r = 1: LR = min(1/r0, r0) = r0
    PAssert.that(scored).containsInAnyOrder(
        human.withMetrics(lrHuman, scrHuman, false).withRankScore((lrHuman + 3 * scrHuman) / 4),
        copied.withMetrics(lrCopy, 0.0, false).withRankScore(lrCopy / 4),
        broken.withMetrics(lrHuman, scrHuman, false).withRankScore((lrHuman + 3 * scrHuman) / 4),
        empty.withMetrics(0.0, 1.0, true).withRankScore(0.75),
        // "2+2" and "٢+٢": 3 counted code points each (r = 1), no letters: SCR 1, flagged.
        digits.withMetrics(R0, 1.0, true).withRankScore((R0 + 3) / 4));
    p.run().waitUntilFinish();
  }

  @Test
  void r0IsRequired() {
    TestPipeline unused = TestPipeline.create();
    assertThrows(IllegalStateException.class, () -> ScoreCandidates.forScript("Arab")
        .expand(unused.apply(Create.empty(new ModelCoders.CandidateCoder()))));
    assertThrows(IllegalArgumentException.class, () -> ScoreCandidates.forScript("Arab").withR0(0));
  }

  @Test
  void defaultScriptPurityIsTheSharedImplementation() {
    // ScoreCandidates must call ScriptPurity.measure unless told otherwise: whatever it returns
    // (or throws while it is a placeholder) is what scoring sees.
    Candidate c = unscored("x", true, "Hi", "مرحبا");
    ScriptPurity.Result expected;
    try {
      expected = ScriptPurity.measure("مرحبا", "Arab");
    } catch (UnsupportedOperationException placeholder) {
      assertThrows(UnsupportedOperationException.class,
          () -> ScoreCandidates.forScript("Arab").withR0(R0).score(c));
      return;
    }
    Candidate scored = ScoreCandidates.forScript("Arab").withR0(R0).score(c);
    assertEquals(expected.score(), scored.scr(), 0.0);
    assertEquals(expected.flagged(), scored.scrFlagged());
  }
}
