package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * chrF / chrF++ pinned to published sacreBLEU values. The character-n-gram cases are sacreBLEU's
 * own {@code test/test_chrf.py} (mjpost/sacrebleu v2.6.0, commit f615c72; EPSILON 1e-4). sacreBLEU's
 * repository publishes chrF++ (word order 2) values only on WMT17 system outputs that are not
 * committed ({@code test.sh}), so the word-n-gram part is pinned to the sacreBLEU outputs printed in
 * the docstring of Hugging Face's chrF wrapper ({@code huggingface/datasets},
 * {@code metrics/chrf/chrf.py}, examples 1–3 and the Obama example), which calls sacreBLEU's {@code
 * CHRF} with its defaults.
 */
class ChrFTest {
  private static final double EPSILON = 1e-4;

  /** sacrebleu.corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, ...). */
  private static final ChrF BETA3 = ChrF.chrF().withBeta(3);

  // test_chrf.py::test_chrf (test_cases): eps_smoothing=True
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "abcdefg|hijklmnop|0.0",
        "a|b|0.0",
        "|b|0.0",
        "|ref|0.0",
        "|reference|0.0",
        "aa|ab|8.3333",
        "a|a|16.6667",
        "a b c|a b c|50.0",
        "a b c|abc|50.0",
        " risk assessment must be made of those who are qualified and expertise in the sector - these"
            + " are the scientists .|risk assessment has to be undertaken by those who are qualified"
            + " and expert in that area - that is the scientists .|63.361730",
        " Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. |Das"
            + " Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.|64.1302698",
        "Niemand hat die Absicht, eine Mauer zu errichten|Niemand hat die Absicht, eine Mauer zu"
            + " errichten|100.0",
      },
      ignoreLeadingAndTrailingWhitespace = false)
  void epsSmoothing(String hyp, String ref, double expected) {
    double score =
        BETA3.withEpsSmoothing(true).corpusScore(List.of(orEmpty(hyp)), List.of(List.of(ref)));
    assertEquals(expected, score, EPSILON);
  }

  @Test
  void epsSmoothingTwoSegments() {
    // test_chrf.py::test_chrf, (["a", "b"], ["a", "c"], 8.3333)
    assertEquals(8.3333,
        BETA3.withEpsSmoothing(true).corpusScore(List.of("a", "b"), List.of(List.of("a", "c"))),
        EPSILON);
  }

  // test_chrf.py::test_chrf_eff_order (test_cases_effective_order): eps_smoothing=False
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"a|a|100.0", "|reference|0.0", "a b c|a b c|100.0", "a b c|abc|100.0", "|c|0.0",
        "aa|ab|25.0"})
  void effectiveOrder(String hyp, String ref, double expected) {
    assertEquals(expected, BETA3.corpusScore(List.of(orEmpty(hyp)), List.of(List.of(ref))),
        EPSILON);
  }

  @Test
  void effectiveOrderTwoSegments() {
    // test_chrf.py::test_chrf_eff_order, (["a", "b"], ["a", "c"], 50.0)
    assertEquals(50.0, BETA3.corpusScore(List.of("a", "b"), List.of(List.of("a", "c"))), EPSILON);
  }

  // test_chrf.py::test_chrf_keep_whitespace: remove_whitespace=False
  @Test
  void keepWhitespace() {
    ChrF chrf = BETA3.withWhitespace(true);
    assertEquals(67.3481606, chrf.corpusScore(
        List.of("Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."),
        List.of(List.of(
            "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."))),
        EPSILON);
    assertEquals(65.2414427, chrf.corpusScore(
        List.of("risk assessment must be made of those who are qualified and expertise in the"
            + " sector - these are the scientists ."),
        List.of(List.of("risk assessment has to be undertaken by those who are qualified and"
            + " expert in that area - that is the scientists ."))),
        EPSILON);
  }

  // test_chrf.py::test_chrf_sentence_level: sentence_chrf(hyp, refs, eps_smoothing=True), beta 2
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.|Nejvíce smutní"
            + " jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.|39.14078509",
        "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.|A někdy nemáme ani"
            + " potřebný materiál, abychom jim pomohli, popsali lékaři.|31.22557079",
        "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.|Lapali po dechu a pak"
            + " jejich život skončil - dřív, než skutečně mohl začít, připomněli.|57.15704367",
      })
  void sentenceLevel(String hyp, String ref, double expected) {
    assertEquals(expected, ChrF.chrF().withEpsSmoothing(true).sentenceScore(hyp, List.of(ref)),
        EPSILON);
  }

  // huggingface/datasets metrics/chrf/chrf.py: sacreBLEU CHRF defaults (eff. order), two segments
  private static final List<String> CATS =
      List.of("The relationship between cats and dogs is not exactly friendly.",
          "a good bookshop is just a genteel black hole that knows how to read.");
  private static final List<List<String>> CATS_REFS =
      List.of(List.of("The relationship between dogs and cats is not exactly friendly.",
          "A good bookshop is just a genteel Black Hole that knows how to read."));

  @Test
  void chrFPlusPlus() {
    assertEquals(82.87263732906315, ChrF.chrFPlusPlus().corpusScore(CATS, CATS_REFS), 1e-9);
    assertEquals(92.12853119829202,
        ChrF.chrFPlusPlus().withLowercase(true).corpusScore(CATS, CATS_REFS), 1e-9);
    assertEquals(84.64214891738334, ChrF.chrF().corpusScore(CATS, CATS_REFS), 1e-9);
    assertEquals(61.576379378113785, ChrF.chrF().corpusScore(
        List.of("The relationship between Obama and Netanyahu is not exactly friendly."),
        List.of(List.of("The ties between Obama and Netanyahu are not particularly friendly."))),
        1e-9);
  }

  @Test
  void signatureAndName() {
    // sacreBLEU README: chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.0.0
    assertEquals("chrF2++", ChrF.chrFPlusPlus().name());
    assertEquals("nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0",
        ChrF.chrFPlusPlus().signature(1));
  }

  @Test
  void wordsSplitOnePunctuationMarkOffAnEnd() {
    assertEquals(List.of("(hi", ")", "a", "b", ".", "Hello!", "!", "Arabic؟"),
        ChrF.words("(hi) a b. Hello!! Arabic؟"));
  }

  @Test
  void arabicCharactersAreCodePoints() {
    // one reference, identical Arabic hypothesis: 100; whitespace does not count as a character
    String ar = "كم نقطة تخلى عنها دفاع البانثرز؟";
    assertEquals(100.0, ChrF.chrFPlusPlus().sentenceScore(ar, List.of(ar)), 1e-9);
    long[] stats = ChrF.chrFPlusPlus().segmentStatistics("𝑥y", List.of("𝑥y"));
    assertEquals(2, stats[0], "a supplementary character is one character, not two");
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
