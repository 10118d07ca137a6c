package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.evaluate.RougeL.Score;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ROUGE-L: rouge-score's published cases on ASCII text (google-research/google-research, {@code
 * rouge/rouge_scorer_test.py}; {@code score(target, prediction)}, so the first argument there is
 * our reference), and Arabic, which rouge-score's tokenizer would drop entirely.
 */
class RougeLTest {
  private final RougeL rouge = RougeL.unicode();

  // rouge_scorer_test.py::testRougeLConsecutive
  @Test
  void consecutive() {
    Score s = rouge.sentenceScore("testing one", "testing one two");
    assertEquals(1, s.precision(), 1e-12);
    assertEquals(2.0 / 3, s.recall(), 1e-12);
    assertEquals(4.0 / 5, s.f1(), 1e-12);
  }

  // rouge_scorer_test.py::testRougeLNonConsecutive
  @Test
  void nonConsecutive() {
    Score s = rouge.sentenceScore("testing two", "testing one two");
    assertEquals(1, s.precision(), 1e-12);
    assertEquals(2.0 / 3, s.recall(), 1e-12);
    assertEquals(4.0 / 5, s.f1(), 1e-12);
  }

  // rouge_scorer_test.py::testRougeEmpty
  @Test
  void empty() {
    assertEquals(new Score(0, 0, 0), rouge.sentenceScore("", "testing one two"));
    assertEquals(new Score(0, 0, 0), rouge.sentenceScore("/", "testing one two"));
  }

  // rouge_scorer_test.py::testRougeLAgainstRouge155 (values from ROUGE-1.5.5, 5 places), lines of
  // rouge/testdata/target.txt and prediction.txt
  @Test
  void againstRouge155() {
    String target0 =
        "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM"
            + " EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L";
    String target1 =
        "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao"
            + " Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing"
            + " tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu"
            + " pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN";
    String prediction0 =
        "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi";
    String prediction1 =
        "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed"
            + " HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion"
            + " UCAPwNHeYVjD";
    Score s0 = rouge.sentenceScore(prediction0, target0);
    assertEquals(0.40741, s0.recall(), 1e-5);
    assertEquals(0.68750, s0.precision(), 1e-5);
    assertEquals(0.51163, s0.f1(), 1e-5);
    Score s1 = rouge.sentenceScore(prediction1, target1);
    assertEquals(0.40476, s1.recall(), 1e-5);
    assertEquals(0.65385, s1.precision(), 1e-5);
    assertEquals(0.50000, s1.f1(), 1e-5);
  }

  @Test
  void arabicIsTokenizedAndScored() {
    // XQuAD's first Arabic question against a hand-made variant: one word dropped ("عنها"), one
    // replaced (تنازل for تخلى), question mark kept attached in the text but not a word.
    String reference = "كم نقطة تخلى عنها دفاع البانثرز؟";
    String hypothesis = "كم نقطة تنازل دفاع البانثرز؟";
    assertEquals(List.of("كم", "نقطة", "تخلى", "عنها", "دفاع", "البانثرز"),
        RougeL.tokenize(reference));
    // LCS = كم نقطة دفاع البانثرز = 4; P = 4/5, R = 4/6, F1 = 2PR/(P+R) = 8/11
    Score s = rouge.sentenceScore(hypothesis, reference);
    assertEquals(4.0 / 5, s.precision(), 1e-12);
    assertEquals(4.0 / 6, s.recall(), 1e-12);
    assertEquals(8.0 / 11, s.f1(), 1e-12);
    assertTrue(s.f1() > 0, "rouge-score's [a-z0-9] tokenizer would give 0 here");
  }

  @Test
  void harakatStayInsideTheirWord() {
    // a vocalized word is one token, not split at its combining marks; digits are words
    assertEquals(List.of("سُجلت", "في", "2015"), RougeL.tokenize("سُجلت في 2015؟"));
  }

  @Test
  void corpusScoreIsTheMeanSegmentF1() {
    double score =
        rouge.corpusScore(List.of("testing one", "nothing"),
            List.of(List.of("testing one two", "something else")));
    assertEquals(100 * (0.8 + 0) / 2, score, 1e-9);
    assertEquals("nrefs:1|case:lc|tok:unicode-lmn|stem:no|f:1|agg:mean|version:rouge-score-0.1.2",
        rouge.signature(1));
  }
}
