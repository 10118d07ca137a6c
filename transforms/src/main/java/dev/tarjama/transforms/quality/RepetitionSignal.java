package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.model.QualityMeasures.Measure;

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
    Loop s = longestLoop(squeeze(in.source()));
    if (t.repeats <= s.repeats) {
      return new Measure(0, true, "");
    }
    return new Measure(t.repeats, true,
        t.repeats + " repeats of '" + abbreviate(t.unit) + "' (source: " + s.repeats + ")");
  }

  record Loop(int repeats, String unit) {}

  static String squeeze(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  /**
   * The unit with the most back-to-back repeats (at least 1: every text repeats itself once); of
   * units with as many repeats, the one that starts first, then the shorter. For each unit length,
   * one pass from the end counts how many characters in a row equal the one a unit further on:
   * {@code r} repeats of the unit at {@code i} are {@code (r - 1) × length} such matches from
   * {@code i}. Linear in the text for each length, where comparing units at every start was not.
   */
  static Loop longestLoop(String text) {
    int n = text.length();
    int best = 1;
    int bestStart = -1;
    int bestLength = 0;
    int[] run = new int[n + 1];
    for (int len = 1; len <= MAX_UNIT && 2 * len <= n; len++) {
      run[n - len] = 0;
      for (int j = n - len - 1; j >= 0; j--) {
        run[j] = text.charAt(j) == text.charAt(j + len) ? run[j + 1] + 1 : 0;
      }
      for (int i = 0; i + 2 * len <= n; i++) {
        int repeats = 1 + run[i] / len;
        if (repeats < best || repeats == 1) {
          continue;
        }
        boolean earlier = repeats > best || i < bestStart || (i == bestStart && len < bestLength);
        if (earlier && !Character.isLowSurrogate(text.charAt(i)) && hasLetter(text, i, i + len)) {
          best = repeats;
          bestStart = i;
          bestLength = len;
        }
      }
    }
    return new Loop(best, bestStart < 0 ? "" : text.substring(bestStart, bestStart + bestLength));
  }

  private static boolean hasLetter(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
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
