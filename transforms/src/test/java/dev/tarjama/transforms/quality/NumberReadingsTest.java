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
