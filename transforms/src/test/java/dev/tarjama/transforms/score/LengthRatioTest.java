package dev.tarjama.transforms.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthRatioTest {
  private static final double EPS = 1e-12;

  @Test
  void lengthCountsVisibleCodePointsOnly() {
    assertEquals(12, LengthRatio.length("Hello, world!"));
    assertEquals(12, LengthRatio.length(" Hello,\t\nworld!\u00A0"), "whitespace incl. NBSP");
    // م ر ح ب ا: fatha, sukun, fatha and tanwin are combining marks, not content.
    assertEquals(5, LengthRatio.length("مَرْحَبًا"));
    assertEquals(5, LengthRatio.length("مرحبا"));
    assertEquals(5, LengthRatio.length("\u200Fمـرحبا\u200D"), "tatweel, RLM and ZWJ");
    assertEquals(6, LengthRatio.length("Run ⟦0⟧ now"), "placeholders are removed");
    assertEquals(1, LengthRatio.length("😀"), "one code point, two chars");
    assertEquals(0, LengthRatio.length(" ⟦12⟧ \n"));
  }

  @Test
  void lengthOnRealTatoebaLines() throws IOException {
    List<String> lines = Files.readAllLines(
        DataKit.tatoeba(),
        StandardCharsets.UTF_8);
    String[] hi = lines.get(0).split("\t");
    assertEquals("Hi.", hi[0]);
    assertEquals(3, LengthRatio.length(hi[0]));
    assertEquals(6, LengthRatio.length(hi[1]), "مرحبًا. = 5 letters + '.', tanwin not counted");
    // Line 6187 stretches words with tatweel: "لم يكـن أي أحـد هنـــاك."
    String[] stretched = lines.get(6186).split("\t");
    assertEquals("There wasn't anyone there.", stretched[0]);
    assertTrue(stretched[1].indexOf('\u0640') >= 0);
    assertEquals(23, LengthRatio.length(stretched[0]));
    assertEquals(15, LengthRatio.length(stretched[1]));
    // r = 15/23 against r0 = 0.8: LR = (15/23)/0.8
    assertEquals((15.0 / 23) / 0.8, LengthRatio.measure(stretched[0], stretched[1], 0.8).score(), EPS);
  }

  @Test
  void scoreIsSymmetricAroundR0() {
    String source = "abcdefghij"; // 10
    assertEquals(1.0, LengthRatio.measure(source, "abcdefgh", 0.8).score(), EPS); // r = 0.8
    assertEquals(0.5, LengthRatio.measure(source, "abcd", 0.8).score(), EPS); // r = 0.4
    assertEquals(0.5, LengthRatio.measure(source, "abcdefghijklmnop", 0.8).score(), EPS); // 1.6
    assertEquals(0.8 / 0.9, LengthRatio.measure(source, "abcdefghi", 0.8).score(), EPS);
    assertEquals(0.7 / 0.8, LengthRatio.measure(source, "abcdefg", 0.8).score(), EPS);
    assertEquals(1.0 / 3, LengthRatio.score(3, 1, 1.0).score(), EPS);
    assertFalse(LengthRatio.measure(source, "abcd", 0.8).flagged());
  }

  @Test
  void emptyTextsAreEdgeCases() {
    assertEquals(new LengthRatio.Result(1.0, true), LengthRatio.measure("", " ", 0.8));
    assertEquals(new LengthRatio.Result(1.0, true), LengthRatio.measure("⟦0⟧", "⟦0⟧", 0.8));
    assertEquals(new LengthRatio.Result(0.0, false), LengthRatio.measure("Hello", "", 0.8));
    assertEquals(new LengthRatio.Result(0.0, false), LengthRatio.measure("", "مرحبا", 0.8));
  }

  @Test
  void r0MustBePositiveAndFinite() {
    for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> LengthRatio.measure("a", "b", bad));
    }
  }

  /** len code point by code point through {@link LengthRatio#counts}, as it was counted. */
  private static int countedDirectly(String text) {
    String prose = dev.tarjama.transforms.domain.Placeholders.strip(text);
    int n = 0;
    for (int i = 0; i < prose.length(); ) {
      int cp = prose.codePointAt(i);
      i += Character.charCount(cp);
      if (LengthRatio.counts(cp)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void theLookupTableAndTheMemoCountAsCountsDoes() throws IOException {
    List<String> texts = new java.util.ArrayList<>(List.of("", "Hello, world!", "مَرْحَبًا",
        "\u200Fمـرحبا\u200D", "Run ⟦0⟧ now", "😀 𝑥 \uD83D", "\uDE00 lone \uD800x", "\u0000\uFFFF"));
    for (String line : Files.readAllLines(
        DataKit.data("parallel/tatoeba_anki/ara.txt"),
        StandardCharsets.UTF_8).subList(0, 3000)) {
      texts.addAll(List.of(line.split("\t")));
    }
    StringBuilder every = new StringBuilder();
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += 7) {
      every.appendCodePoint(cp);
    }
    texts.add(every.toString());
    for (String t : texts) {
      int direct = countedDirectly(t);
      assertEquals(direct, LengthRatio.count(t), t);
      assertEquals(direct, LengthRatio.length(t), t);
      assertEquals(direct, LengthRatio.length(new String(t)), "an equal copy: " + t);
    }
  }

  @Test
  void aTextMemoComputesATextOnceWhileItIsRecent() {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    TextMemo<Integer> memo = TextMemo.of(2, t -> {
      calls.incrementAndGet();
      return t.length();
    });
    assertEquals(3, memo.get("abc"));
    assertEquals(3, memo.get("abc"));
    assertEquals(3, memo.get(new String("abc")));
    assertEquals(1, calls.get());
    assertEquals(2, memo.get("de"));
    assertEquals(3, memo.get("abc"));
    assertEquals(2, calls.get());
    assertEquals(1, memo.get("f")); // "abc" is now the oldest of two and goes
    assertEquals(3, memo.get("abc"));
    assertEquals(4, calls.get());
    assertThrows(IllegalArgumentException.class, () -> TextMemo.of(0, String::length));
  }
}
