package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RepetitionSignalTest {
  /** The definition, unit by unit at every start: slow, and plainly right. */
  static RepetitionSignal.Loop byDefinition(String text) {
    int best = 1;
    String bestUnit = "";
    int n = text.length();
    for (int i = 0; i < n; i++) {
      if (Character.isLowSurrogate(text.charAt(i))) {
        continue;
      }
      for (int len = 1; len <= RepetitionSignal.MAX_UNIT && i + 2 * len <= n; len++) {
        int repeats = 1;
        while (i + (repeats + 1) * len <= n
            && text.regionMatches(i, text, i + repeats * len, len)) {
          repeats++;
        }
        boolean letter = text.substring(i, i + len).codePoints().anyMatch(
            c -> Character.isLetter(c) && Character.getType(c) != Character.MODIFIER_LETTER);
        if (repeats > best && letter) {
          best = repeats;
          bestUnit = text.substring(i, i + len);
        }
      }
    }
    return new RepetitionSignal.Loop(best, bestUnit);
  }

  @Test
  void findsTheLoopTheDefinitionFinds() {
    String[] pieces = {"ك", "ي", "ـ", " ", "ab", "1", "😀", "لا ", "x", "\n", "كيكي"};
    Random random = new Random(7);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      int parts = random.nextInt(60);
      for (int p = 0; p < parts; p++) {
        String piece = pieces[random.nextInt(pieces.length)];
        text.append(piece.repeat(1 + random.nextInt(random.nextInt(4) == 0 ? 12 : 2)));
      }
      String t = text.toString();
      assertEquals(byDefinition(t), RepetitionSignal.longestLoop(t), t);
    }
  }

  @Test
  void longUnitsAndTheirStart() {
    String phrase = "the same phrase over and over, ";
    String text = "intro " + phrase.repeat(5) + "end";
    assertEquals(byDefinition(text), RepetitionSignal.longestLoop(text));
    assertEquals(5, RepetitionSignal.longestLoop(text).repeats());
    assertEquals(new RepetitionSignal.Loop(1, ""), RepetitionSignal.longestLoop("abc"));
    assertEquals(new RepetitionSignal.Loop(1, ""), RepetitionSignal.longestLoop("ـــــــ"));
  }

  @Test
  void squeezesAsTheRegexDoes() {
    String[] pieces = {" ", "  ", "\t", "\n", "\r\n", "\u000B", "\f", "\u00A0", "\u2003", "a", "ك",
        "\u3000", "x y"};
    Random random = new Random(11);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      int parts = random.nextInt(12);
      for (int p = 0; p < parts; p++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String t = text.toString();
      assertEquals(t.replaceAll("\\s+", " ").strip(), RepetitionSignal.squeeze(t), t);
    }
  }
}
