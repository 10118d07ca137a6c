package dev.tarjama.transforms.chunk;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import dev.tarjama.transforms.domain.Placeholders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Cuts English prose into sentences with ICU's sentence BreakIterator ({@code en@ss=standard},
 * ICU's own abbreviation suppressions) plus this project's abbreviation list and rules:
 *
 * <ul>
 *   <li>no break after an abbreviation of {@link #ABBREVIATIONS} (any case of its first letter)
 *       or after a single capital initial ("J. R. R. Tolkien"). ICU's suppression list misses
 *       abbreviations with inner periods ("e.g.", "p.m.", "U.S."), so they are checked here. A
 *       real sentence end after such a word is then kept with the next sentence: harmless for
 *       chunking, where a split inside a sentence is not;
 *   <li>no break inside a placeholder ⟦n⟧ (ICU treats ⟦ as closing punctuation after a full
 *       stop): such a break moves to the end of the placeholder;
 *   <li>every character is kept: the sentences concatenate back to the input; whitespace after a
 *       sentence belongs to it; a line break always ends a sentence (ICU's rule).
 * </ul>
 *
 * <p>Not thread-safe (an ICU BreakIterator has state): one instance per thread or DoFn.
 */
public final class SentenceSplitter {

  /** Lower-case abbreviations after which a sentence never ends. */
  public static final Set<String> ABBREVIATIONS =
      Set.of(
          "e.g.", "i.e.", "p.m.", "a.m.", "dr.", "mr.", "mrs.", "ms.", "vs.", "etc.", "fig.",
          "figs.", "no.", "nos.", "u.s.", "u.k.", "u.n.", "e.u.", "prof.", "st.", "jr.", "sr.",
          "inc.", "ltd.", "co.", "corp.", "approx.", "cf.", "al.", "vol.", "pp.", "eq.", "eqs.",
          "sec.", "ch.", "dept.", "est.", "ph.d.", "m.d.", "b.sc.", "m.sc.", "viz.", "ca.",
          "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.",
          "nov.", "dec.", "mt.", "ave.", "gen.", "gov.", "sen.", "rep.", "rev.", "hon.");

  private final BreakIterator sentences =
      BreakIterator.getSentenceInstance(new ULocale("en@ss=standard"));

  /** The sentences of {@code text}; they concatenate back to {@code text}. */
  public List<String> split(String text) {
    int[] cuts = boundaries(text);
    List<String> out = new ArrayList<>(cuts.length - 1);
    for (int i = 1; i < cuts.length; i++) {
      out.add(text.substring(cuts[i - 1], cuts[i]));
    }
    return out;
  }

  /**
   * Sentence boundaries of {@code text}, ascending: 0, the end of each sentence, and {@code
   * text.length()} (just {@code [0]} for an empty text).
   */
  public int[] boundaries(String text) {
    int n = text.length();
    if (n == 0) {
      return new int[] {0};
    }
    int[] placeholders = placeholderRanges(text);
    sentences.setText(text);
    int[] cuts = new int[16];
    int size = 0;
    cuts[size++] = 0;
    int p = 0; // index into placeholders (pairs start, end)
    for (int b = sentences.next(); b != BreakIterator.DONE; b = sentences.next()) {
      if (b < n) {
        while (p < placeholders.length && placeholders[p + 1] <= b) {
          p += 2;
        }
        if (p < placeholders.length && placeholders[p] < b) {
          b = placeholders[p + 1]; // inside ⟦n⟧: move to its end, with the spaces after it
          while (b < n && (text.charAt(b) == ' ' || text.charAt(b) == '\t')) {
            b++;
          }
        }
        if (b >= n || suppressedAfterAbbreviation(text, b)) {
          continue;
        }
      } else {
        b = n;
      }
      if (b <= cuts[size - 1]) {
        continue;
      }
      if (size == cuts.length) {
        cuts = java.util.Arrays.copyOf(cuts, size * 2);
      }
      cuts[size++] = b;
    }
    if (cuts[size - 1] != n) {
      if (size == cuts.length) {
        cuts = java.util.Arrays.copyOf(cuts, size + 1);
      }
      cuts[size++] = n;
    }
    return java.util.Arrays.copyOf(cuts, size);
  }

  /** [start, end) pairs of the placeholders of {@code text}. */
  private static int[] placeholderRanges(String text) {
    if (text.indexOf(Placeholders.OPEN) < 0) {
      return new int[0];
    }
    int[] ranges = new int[8];
    int size = 0;
    Matcher m = Placeholders.PATTERN.matcher(text);
    while (m.find()) {
      if (size + 2 > ranges.length) {
        ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
      }
      ranges[size++] = m.start();
      ranges[size++] = m.end();
    }
    return java.util.Arrays.copyOf(ranges, size);
  }

  /**
   * Whether the break at {@code b} follows an abbreviation or an initial. A break after a line
   * break is never suppressed.
   */
  private static boolean suppressedAfterAbbreviation(String text, int b) {
    int end = b;
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      char c = text.charAt(end - 1);
      if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
        return false;
      }
      end--;
    }
    if (end == 0 || text.charAt(end - 1) != '.') {
      return false;
    }
    int start = end;
    while (start > 0 && !Character.isWhitespace(text.charAt(start - 1))) {
      start--;
    }
    // Opening punctuation before the word: "(e.g.", "“Dr.".
    while (start < end && !Character.isLetterOrDigit(text.charAt(start))) {
      start++;
    }
    int length = end - start;
    if (length == 2 && Character.isUpperCase(text.charAt(start))) {
      return true; // an initial
    }
    if (length < 3 || length > 7) {
      return false;
    }
    return ABBREVIATIONS.contains(text.substring(start, end).toLowerCase(Locale.ROOT));
  }
}
