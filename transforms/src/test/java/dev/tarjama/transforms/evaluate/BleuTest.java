package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tarjama.transforms.evaluate.Bleu.Smoothing;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BLEU pinned to sacreBLEU's own published test cases (repository mjpost/sacrebleu, v2.6.0,
 * commit f615c72): inputs and expected values are those of {@code test/test_bleu.py} and {@code
 * test/test_sentence_bleu.py}, with their tolerances (1e-8 and 1e-3), far inside the 0.01 that
 * Tarjama promises.
 */
class BleuTest {
  /** test_bleu.py's README example: three hypotheses, two reference streams. */
  private static final List<String> HYPS =
      List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

  private static final List<List<String>> REFS =
      List.of(
          List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
          List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));

  /** sacrebleu.raw_corpus_bleu(hyps, refs, smooth_value): floor smoothing, no tokenization, eff. */
  private static Bleu raw(double floor) {
    return Bleu.sacreBleu()
        .withSmoothing(Smoothing.FLOOR, floor)
        .withTokenizer(BleuTokenizer.NONE)
        .withEffectiveOrder(true);
  }

  // test_bleu.py::test_corpus_bleu (test_corpus_bleu_cases), EPSILON 1e-8
  @Test
  void corpusBleuDefaults() {
    assertEquals(48.530827, Bleu.sacreBleu().corpusScore(HYPS, REFS).score(), 1e-6);
  }

  @Test
  void corpusBleuEmptyHypothesesAreKept() {
    assertEquals(0.0, Bleu.sacreBleu().corpusScore(List.of("", "", ""), REFS).score(), 1e-8);
  }

  @Test
  void corpusBleuTokenizers() {
    Bleu bleu = Bleu.sacreBleu();
    assertEquals(49.1919566, bleu.withTokenizer(BleuTokenizer.NONE).corpusScore(HYPS, REFS).score(),
        1e-6);
    assertEquals(48.530827,
        bleu.withTokenizer(BleuTokenizer.THIRTEEN_A).corpusScore(HYPS, REFS).score(), 1e-6);
    assertEquals(48.530827,
        bleu.withSmoothing(Smoothing.NONE).corpusScore(HYPS, REFS).score(), 1e-6);
  }

  // test_bleu.py::test_raw_bleu and ::test_effective_order, EPSILON 1e-8 (scores / 100)
  @Test
  void rawBleu() {
    Bleu bleu = raw(0.01);
    assertEquals(0.0, bleu.corpusScore(List.of("this is a test", "another test"),
        List.of(List.of("ref1", "ref2"))).score() / 100, 1e-8);
    assertEquals(1.0, bleu.corpusScore(List.of("this is a test"),
        List.of(List.of("this is a test"))).score() / 100, 1e-8);
    assertEquals(0.223606797749979, bleu.corpusScore(List.of("this is a fest"),
        List.of(List.of("this is a test"))).score() / 100, 1e-8);
  }

  @Test
  void effectiveOrder() {
    Bleu bleu = raw(0.01);
    assertEquals(0.3678794411714425,
        bleu.corpusScore(List.of("test"), List.of(List.of("a test"))).score() / 100, 1e-8);
    assertEquals(1.0,
        bleu.corpusScore(List.of("a test"), List.of(List.of("a test"))).score() / 100, 1e-8);
    assertEquals(0.03218297948685433,
        bleu.corpusScore(List.of("a little test"), List.of(List.of("a test"))).score() / 100,
        1e-8);
  }

  // test_bleu.py::test_statistics
  @Test
  void statistics() {
    long[] stats =
        raw(0.01).segmentStatistics("am I am a character sequence",
            List.of("I am a symbol string sequence a a"));
    assertArrayEquals(new long[] {6, 8, 4, 2, 1, 0, 6, 5, 4, 3}, stats);
  }

  // test_bleu.py::test_scoring: BLEU.compute_bleu([9,7,5,3], [10,8,6,4], 11, 11), no smoothing
  @Test
  void scoringFromStatistics() {
    Bleu bleu = Bleu.sacreBleu().withSmoothing(Smoothing.NONE);
    assertEquals(0.8375922397,
        bleu.score(new long[] {11, 11, 9, 7, 5, 3, 10, 8, 6, 4}).score() / 100, 1e-8);
  }

  // test_bleu.py::test_offset
  @Test
  void floorOffset() {
    List<String> hyp = List.of("am I am a character sequence");
    List<List<String>> ref = List.of(List.of("I am a symbol string sequence a a"));
    assertEquals(0.0, raw(0.0).corpusScore(hyp, ref).score() / 100, 1e-8);
    assertEquals(0.1555722182,
        Bleu.sacreBleu().withSmoothing(Smoothing.FLOOR).withTokenizer(BleuTokenizer.NONE)
            .withEffectiveOrder(true).corpusScore(hyp, ref).score() / 100, 1e-8);
  }

  // test_bleu.py::test_degenerate_statistics: compute_bleu(..., smooth_method='floor', offset) == 0
  @ParameterizedTest
  @CsvSource({
    "0, 0, 0, 0, 4, 4, 2, 1, 0, 1, 0.0",
    "0, 0, 0, 0, 10, 11, 12, 0, 14, 10, 0.0",
    "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0",
    "6, 5, 4, 0, 6, 5, 4, 3, 6, 6, 0.0",
    "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1",
    "0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0.01",
  })
  void degenerateStatistics(
      long c1, long c2, long c3, long c4, long t1, long t2, long t3, long t4, long sysLen,
      long refLen, double offset) {
    Bleu bleu = Bleu.sacreBleu().withSmoothing(Smoothing.FLOOR, offset);
    double score =
        bleu.score(new long[] {sysLen, refLen, c1, c2, c3, c4, t1, t2, t3, t4}).score();
    assertEquals(0.0, score);
  }

  // test_bleu.py::test_max_ngram_order (compared as f"{score:.2f}")
  @ParameterizedTest
  @CsvSource({"1, 77.65", "2, 60.50", "3, 53.93", "4, 48.53", "5, 46.14", "6, 43.28"})
  void maxNgramOrder(int order, String expected) {
    double score = Bleu.sacreBleu().withMaxOrder(order).corpusScore(HYPS, REFS).score();
    assertEquals(expected, String.format(Locale.ROOT, "%.2f", score));
  }

  // test_sentence_bleu.py::test_api_sentence_bleu (example of sacreBLEU issue #98), EPSILON 1e-3
  private static final String REF = "producţia de zahăr brut se exprimă în zahăr alb;";
  private static final String SYS =
      "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

  @ParameterizedTest
  @CsvSource({
    "exp, , false, 13a, 8.493",
    "none, , false, 13a, 0.0",
    "floor, , false, 13a, 4.51688",
    "floor, 0.1, false, 13a, 4.51688",
    "floor, 0.5, false, 13a, 10.10",
    "add-k, , false, 13a, 14.882",
    "add-k, 1, false, 13a, 14.882",
    "add-k, 2, false, 13a, 21.389",
    "exp, , false, none, 7.347",
    "exp, , false, char, 40.8759",
    "exp, , true, char, 42.0267",
  })
  void sentenceBleu(
      String smoothing, Double value, boolean lowercase, String tokenizer, double expected) {
    Bleu bleu = sentenceBleu(smoothing, value, lowercase, tokenizer);
    assertEquals(expected, bleu.sentenceScore(SYS, List.of(REF)).score(), 1e-3);
  }

  // test_sentence_bleu.py::test_api_sentence_bleu_zero (sacreBLEU issue #141)
  @ParameterizedTest
  @CsvSource({"exp, ", "none, ", "floor, ", "floor, 0.1", "add-k, ", "add-k, 1"})
  void sentenceBleuWithoutMatches(String smoothing, Double value) {
    Bleu bleu = sentenceBleu(smoothing, value, false, "13a");
    assertEquals(0.0, bleu.sentenceScore("this is a cat", List.of("okay thanks")).score(), 1e-3);
  }

  private static Bleu sentenceBleu(
      String smoothing, Double value, boolean lowercase, String tokenizer) {
    Smoothing s =
        switch (smoothing) {
          case "exp" -> Smoothing.EXP;
          case "none" -> Smoothing.NONE;
          case "floor" -> Smoothing.FLOOR;
          default -> Smoothing.ADD_K;
        };
    Bleu bleu =
        Bleu.sacreBleu()
            .withTokenizer(BleuTokenizer.fromSignature(tokenizer))
            .withLowercase(lowercase)
            .withEffectiveOrder(true);
    return value == null ? bleu.withSmoothing(s) : bleu.withSmoothing(s, value);
  }

  @Test
  void signatureIsSacreBleus() {
    // sacreBLEU README: BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0
    assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
        Bleu.sacreBleu().signature(1));
    assertEquals("nrefs:2|case:lc|eff:yes|tok:none|smooth:floor[0.10]|version:2.6.0",
        raw(0.1).withLowercase(true).signature(2));
  }

  @Test
  void thirteenATokenizer() {
    BleuTokenizer t = BleuTokenizer.THIRTEEN_A;
    // the apostrophe is not among mteval-v13a's symbols: "wasn't" stays one word
    assertEquals("It wasn't surprising .", t.tokenize("It wasn't surprising."));
    // periods and commas between digits stay; a dash after a digit is split off
    assertEquals("3.5 , 1,000 and 2 - 3 &", t.tokenize("3.5, 1,000 and 2-3 &amp;"));
    // Arabic passes through; Arabic punctuation stays attached, ASCII ? is split
    assertEquals("كم نقطة تخلى عنها، دفاع البانثرز ?", t.tokenize("كم نقطة تخلى عنها، دفاع البانثرز?"));
  }
}
