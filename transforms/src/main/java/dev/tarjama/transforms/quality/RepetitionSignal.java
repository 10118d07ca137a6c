package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.score.TextMemo;

/**
 * {@code repetition}: a translator stuck in a loop ("…كيكيكيكيكي…", one phrase over and over).
 * The value is the largest number of back-to-back repeats of one unit (1 to {@value #MAX_UNIT}
 * code points holding a letter other than tatweel, whitespace runs counted as one space) in the target, when it is
 * more than the source's own largest such count; else 0 (the source repeats as much: not the
 * translator's loop). Judged when the target has a letter.
 */
public final class RepetitionSignal implements QualitySignal {
  private static final long serialVersionUID = 1L;
  static final int MAX_UNIT = 80;

  @Override
  public SignalSpec spec() {
    return SignalSpec.REPETITION;
  }

  @Override
  public Measure measure(QualityInput in) {
    String target = squeeze(in.target());
    if (Prose.letters(target) == 0) {
      return Measure.notJudged("no letters");
    }
    Loop t = longestLoop(target);
    Loop s = SOURCE_LOOPS.get(squeeze(in.source()));
    if (t.repeats <= s.repeats) {
      return new Measure(0, true, "");
    }
    return new Measure(t.repeats, true,
        t.repeats + " repeats of '" + abbreviate(t.unit) + "' (source: " + s.repeats + ")");
  }

  record Loop(int repeats, String unit) {}

  /** The source's own loop: every candidate of a record has the same source. */
  private static final TextMemo<Loop> SOURCE_LOOPS =
      TextMemo.of(2, RepetitionSignal::longestLoop);

  /**
   * {@link #squeezed} of the last few texts on this thread: this signal and {@code compression}
   * squeeze the same source and target, one after the other; an equal text gets the same String
   * back, so what is kept by squeezed text is found at once.
   */
  private static final TextMemo<String> SQUEEZED = TextMemo.of(4, RepetitionSignal::squeezed);

  /**
   * {@code text} with every run of regex {@code \s} (space, tab, line breaks, form feed, vertical
   * tab) as one space, then {@link String#strip stripped}: what {@code replaceAll("\\s+", " ")
   * .strip()} gives, without a regex per call (signals run on every candidate).
   */
  static String squeeze(String text) {
    return SQUEEZED.get(text);
  }

  /** {@link #squeeze}, computed. */
  static String squeezed(String text) {
    StringBuilder b = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (isRegexSpace(c)) {
        int end = i + 1;
        while (end < n && isRegexSpace(text.charAt(end))) {
          end++;
        }
        if (b == null) {
          if (c == ' ' && end == i + 1) {
            continue; // already one space
          }
          b = new StringBuilder(n).append(text, 0, i);
        }
        b.append(' ');
        i = end - 1;
      } else if (b != null) {
        b.append(c);
      }
    }
    return (b == null ? text : b.toString()).strip();
  }

  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  /**
   * The unit with the most back-to-back repeats (at least 1: every text repeats itself once); of
   * units with as many repeats, the one that starts first, then the shorter.
   *
   * <p>For a unit length {@code len}, {@code r} repeats of the unit at {@code i} are a stretch of
   * {@code (r - 1) × len} positions in a row where a character equals the one {@code len}
   * further on. Only stretches of at least {@code need} positions can match or beat the best so
   * far, and every such stretch holds one of the positions {@code need} apart: those are probed,
   * and only a probe that matches is widened into its stretch. So a length costs about {@code
   * n / need} probes rather than {@code n} comparisons, and lengths that cannot reach the best
   * count are not tried at all.
   */
  static Loop longestLoop(String text) {
    char[] c = text.toCharArray();
    int n = c.length;
    int best = 1;
    int bestStart = -1;
    int bestLength = 0;
    for (int len = 1; len <= MAX_UNIT && 2 * len <= n && n / len >= Math.max(best, 2); len++) {
      int last = n - len - 1; // the last position that has a character len further on
      int need = (Math.max(best, 2) - 1) * len;
      int probe = need - 1;
      while (probe <= last) {
        if (c[probe] != c[probe + len]) {
          probe += need;
          continue;
        }
        int from = probe;
        while (from > 0 && c[from - 1] == c[from - 1 + len]) {
          from--;
        }
        int to = probe;
        while (to < last && c[to + 1] == c[to + 1 + len]) {
          to++;
        }
        // Starts in the stretch: the earlier, the more repeats; the first that qualifies and
        // beats the best is the stretch's best.
        for (int j = from; to - j + 1 >= need; j++) {
          int repeats = 1 + (to - j + 1) / len;
          boolean better = repeats > best || j < bestStart || (j == bestStart && len < bestLength);
          if (better && !Character.isLowSurrogate(c[j]) && hasLetter(c, j, j + len)) {
            best = repeats;
            bestStart = j;
            bestLength = len;
            need = (best - 1) * len;
            break;
          }
        }
        probe = to + 1 + need;
      }
    }
    return new Loop(best, bestStart < 0 ? "" : text.substring(bestStart, bestStart + bestLength));
  }

  private static boolean hasLetter(char[] text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text[i];
      // Tatweel (a modifier letter) stretches a word for layout: a run of it is not a loop.
      if (Character.isLetter(c) && Character.getType(c) != Character.MODIFIER_LETTER) {
        return true;
      }
    }
    return false;
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
