package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written string helpers of the numbers signal against their regex definitions. */
class NumberReadingsTest {
  @Test
  void canonicalDropsTheZerosTheRegexesDrop() {
    Random random = new Random(3);
    for (int round = 0; round < 3000; round++) {
      String integer = digits(random);
      String fraction = digits(random);
      String i = integer.replaceFirst("^0+(?=.)", "");
      String f = fraction.replaceFirst("0+$", "");
      assertEquals(f.isEmpty() ? i : i + "." + f, NumberReadings.canonical(integer, fraction),
          integer + " . " + fraction);
    }
  }

  @Test
  void harakatGoAsTheRegexRemovesThem() {
    String[] pieces = {"ك", "ت", "ا", "\u064B", "\u064E", "\u0650", "\u0651", "\u0652", "\u0653",
        "\u064A", "x"};
    Random random = new Random(5);
    for (int round = 0; round < 3000; round++) {
      StringBuilder w = new StringBuilder();
      for (int k = random.nextInt(8); k > 0; k--) {
        w.append(pieces[random.nextInt(pieces.length)]);
      }
      String word = w.toString();
      assertEquals(word.replaceAll("[\\u064B-\\u0652]", ""), NumbersSignal.withoutHarakat(word),
          word);
    }
  }

  /** The definition: every row of number words tried on every word. */
  private static java.util.Map<String, Integer> arabicWordsByDefinition(String target) {
    java.util.Map<String, Integer> m = new java.util.HashMap<>();
    for (Prose.Word w : Prose.words(target)) {
      String t = w.text().replaceAll("[\\u064B-\\u0652]", "");
      for (String prefix : new String[] {"وال", "بال", "لل", "ال", "و", "ب", "ل"}) {
        if (t.startsWith(prefix) && t.length() > prefix.length() + 2) {
          t = t.substring(prefix.length());
          break;
        }
      }
      for (String[] row : NumbersSignal.ARABIC_WORDS) {
        for (int k = 1; k < row.length; k++) {
          if (t.startsWith(row[k]) && t.length() <= row[k].length() + 3) {
            m.merge(row[0], 1, Integer::sum);
            break;
          }
        }
      }
    }
    return m;
  }

  @Test
  void arabicNumberWordsAsEveryRowTriedOnEveryWord() {
    java.util.List<String> pieces = new java.util.ArrayList<>(java.util.List.of(
        "و", "ال", "ب", "ل", "ة", "ين", "ان", "\u064E", "\u0651", "كتاب", " ", " ", "x"));
    for (String[] row : NumbersSignal.ARABIC_WORDS) {
      pieces.addAll(java.util.List.of(row).subList(1, row.length));
    }
    Random random = new Random(9);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      for (int k = random.nextInt(14); k > 0; k--) {
        text.append(pieces.get(random.nextInt(pieces.size())));
      }
      String t = text.toString();
      assertEquals(arabicWordsByDefinition(t), NumbersSignal.arabicNumberWords(t), t);
    }
  }

  @Test
  void romanNumeralsAndWordsThatOnlyLookLikeThem() {
    assertEquals(49, NumbersSignal.roman("XLIX"));
    assertEquals(2025, NumbersSignal.roman("MMXXV"));
    assertEquals(0, NumbersSignal.roman("I"));
    assertEquals(0, NumbersSignal.roman("IIII"));
    assertEquals(0, NumbersSignal.roman("MIX1"));
    assertEquals(0, NumbersSignal.roman("Mix"));
  }

  private static String digits(Random random) {
    StringBuilder b = new StringBuilder();
    for (int k = random.nextInt(6); k > 0; k--) {
      b.append(random.nextInt(3) == 0 ? '0' : (char) ('0' + random.nextInt(10)));
    }
    return b.toString();
  }
}
