package dev.tarjama.transforms.quality;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The numbers of a text, each with every reading a human translation may give it — what {@link
 * NumbersSignal} compares. Digits: Western 0-9, Arabic-Indic ٠-٩, Persian ۰-۹.
 *
 * <ul>
 *   <li>Separators between digits: {@code , ٬ '} and spaces before exactly three digits are
 *       thousands separators; {@code . ٫} (and {@code ,} before other than three digits) the
 *       decimal point. A lone {@code .} or {@code ,} before exactly three digits reads both ways
 *       ({@code 19.018} = 19018 or 19.018).
 *   <li>Leading zeros of the integer part and trailing zeros of a fraction are dropped.
 *   <li>A scale word after the number adds the scaled reading: {@code 2.7 million} = 2700000
 *       (million, billion, thousand, مليون, ملايين, مليار, ألف, آلاف).
 *   <li>A range's short end reads with the start's prefix: {@code 1620-21} = 1620, 21 or 1621.
 *   <li>{@code ordinal}: followed by st, nd, rd, th or s ({@code 19th}, {@code 1950s}):
 *       translators write it as a word, so it may be missing.
 *   <li>{@code attached}: digits right after a Latin letter ({@code km2}, {@code H2O}, {@code
 *       DVB-S2}): part of a name, which a translation may keep, drop or write apart.
 *   <li>{@code groups}: the digit groups of {@code 121,154} (a list, not a thousand), for a
 *       target that writes them apart.
 * </ul>
 */
final class NumberReadings {
  record Num(Set<String> readings, boolean ordinal, List<String> groups, boolean attached) {}

  private static String digitsOf(String digits) {
    StringBuilder b = new StringBuilder();
    for (char c : digits.toCharArray()) {
      b.append((char) ('0' + digit(c)));
    }
    return b.toString();
  }

  private NumberReadings() {}

  /**
   * The numbers of {@code text}, in order. The scan for digits is kept apart from reading a
   * number, so that the loop every character passes through stays small for the JIT compiler.
   */
  static List<Num> of(String text) {
    List<Num> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    String previous = null;
    int previousEnd = -2;
    while (i < n) {
      if (digit(text.charAt(i)) < 0) {
        i++;
        continue;
      }
      if (i > 0 && Prose.isLatinLetter(text.charAt(i - 1))) {
        // A unit's exponent or part of a name (km2, H2O, DVB-S2): not a quantity of the prose.
        int end = i + digitsAt(text, i);
        out.add(new Num(Set.of(canonical(digitsOf(text.substring(i, end)), "")), false,
            List.of(), true));
        i = end;
        continue;
      }
      Parsed parsed = number(text, i, previous, previousEnd);
      out.add(parsed.num());
      previous = parsed.plainDigits();
      previousEnd = i = parsed.end();
    }
    return out;
  }

  /** A number read at {@code start}; its end; its digits when it has no separator, else null. */
  private record Parsed(Num num, int end, String plainDigits) {}

  private static Parsed number(String text, int start, String previous, int previousEnd) {
    int n = text.length();
    int i = start;
    List<String> groups = new ArrayList<>();
    List<Character> seps = new ArrayList<>();
    StringBuilder group = new StringBuilder();
    while (i < n) {
      char c = text.charAt(i);
      int d = digit(c);
      if (d >= 0) {
        group.append((char) ('0' + d));
        i++;
        continue;
      }
      boolean sep = ",.٬٫' \u00A0\u202F".indexOf(c) >= 0 && i + 1 < n
          && digit(text.charAt(i + 1)) >= 0 && !(c == ' ' && digitsAt(text, i + 1) != 3);
      if (!sep) {
        break;
      }
      groups.add(group.toString());
      group.setLength(0);
      seps.add(c);
      i++;
    }
    groups.add(group.toString());
    Set<String> readings = new LinkedHashSet<>();
    readings.add(primary(groups, seps));
    if (seps.size() == 1 && (seps.get(0) == '.' || seps.get(0) == ',')
        && groups.get(1).length() == 3) {
      readings.add(canonical(groups.get(0) + groups.get(1), ""));
      readings.add(canonical(groups.get(0), groups.get(1)));
    }
    if (!seps.isEmpty() && all(seps, '.') && restOfLength(groups, 3)) {
      readings.add(canonical(String.join("", groups), ""));
    }
    String scaled = scale(text, i, readings.iterator().next());
    if (scaled != null) {
      readings.add(scaled);
    }
    // A range's short end: 1620-21.
    if (previous != null && start - previousEnd == 1 && "-–".indexOf(text.charAt(start - 1)) >= 0
        && seps.isEmpty() && groups.get(0).length() < previous.length()
        && allAsciiDigits(previous)) {
      readings.add(canonical(previous.substring(0, previous.length() - groups.get(0).length())
          + groups.get(0), ""));
    }
    boolean ordinal = suffix(text, i, "st") || suffix(text, i, "nd") || suffix(text, i, "rd")
        || suffix(text, i, "th") || suffix(text, i, "s");
    List<String> listed = List.of();
    if (!seps.isEmpty() && all(seps, ',')) {
      List<String> canonical = new ArrayList<>(groups.size());
      for (String g : groups) {
        canonical.add(canonical(g, ""));
      }
      listed = List.copyOf(canonical);
    }
    return new Parsed(new Num(readings, ordinal, listed, false), i,
        seps.isEmpty() ? groups.get(0) : null);
  }

  private static boolean all(List<Character> seps, char c) {
    for (char s : seps) {
      if (s != c) {
        return false;
      }
    }
    return true;
  }

  /** Every group after the first has {@code length} digits. */
  private static boolean restOfLength(List<String> groups, int length) {
    for (int k = 1; k < groups.size(); k++) {
      if (groups.get(k).length() != length) {
        return false;
      }
    }
    return true;
  }

  private static boolean suffix(String text, int at, String s) {
    return text.regionMatches(true, at, s, 0, s.length())
        && (at + s.length() >= text.length() || !Character.isLetter(text.charAt(at + s.length())));
  }

  private static String primary(List<String> groups, List<Character> seps) {
    StringBuilder integer = new StringBuilder(groups.get(0));
    String fraction = "";
    for (int k = 0; k < seps.size(); k++) {
      char c = seps.get(k);
      String g = groups.get(k + 1);
      boolean thousands = ",٬' \u00A0\u202F".indexOf(c) >= 0 && g.length() == 3 && fraction.isEmpty();
      if (thousands) {
        integer.append(g);
      } else if (fraction.isEmpty()) {
        fraction = g;
      } else {
        fraction = fraction + g;
      }
    }
    return canonical(integer.toString(), fraction);
  }

  /** Leading zeros of the integer part (one digit kept) and trailing zeros of the fraction off. */
  static String canonical(String integer, String fraction) {
    int from = 0;
    while (from < integer.length() - 1 && integer.charAt(from) == '0') {
      from++;
    }
    int to = fraction.length();
    while (to > 0 && fraction.charAt(to - 1) == '0') {
      to--;
    }
    String i = integer.substring(from);
    return to == 0 ? i : i + "." + fraction.substring(0, to);
  }

  private static boolean allAsciiDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') {
        return false;
      }
    }
    return true;
  }

  private static final String[][] SCALES = {
    {"thousand", "1000"}, {"million", "1000000"}, {"billion", "1000000000"},
    {"ألف", "1000"}, {"آلاف", "1000"}, {"مليون", "1000000"}, {"ملايين", "1000000"},
    {"مليار", "1000000000"}, {"بليون", "1000000000"}};

  private static String scale(String text, int at, String reading) {
    int k = at;
    while (k < text.length() && text.charAt(k) == ' ') {
      k++;
    }
    if (k == at) {
      return null;
    }
    int end = k;
    while (end < text.length() && Character.isLetter(text.charAt(end))) {
      end++;
    }
    String word = text.substring(k, end).toLowerCase(Locale.ROOT);
    for (String[] s : SCALES) {
      if (word.equals(s[0]) || word.equals(s[0] + "s")) {
        return new BigDecimal(reading).multiply(new BigDecimal(s[1])).stripTrailingZeros()
            .toPlainString();
      }
    }
    return null;
  }

  private static int digitsAt(String text, int from) {
    int k = from;
    while (k < text.length() && digit(text.charAt(k)) >= 0) {
      k++;
    }
    return k - from;
  }

  /** 0–9 for a Western, Arabic-Indic or Persian digit, else -1. */
  static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= '\u0660' && c <= '\u0669') {
      return c - '\u0660';
    }
    if (c >= '\u06F0' && c <= '\u06F9') {
      return c - '\u06F0';
    }
    return -1;
  }
}
