package dev.tarjama.transforms.score;

import dev.tarjama.transforms.domain.Placeholders;

/**
 * LR, the length ratio score (DESIGN.md): how close a translation's length is to the length
 * expected from its source. With r = len(target) / len(source) and r₀ the ratio calibrated for the
 * language pair ({@link LengthRatioCalibration}), LR = min(r / r₀, r₀ / r) ∈ [0, 1]; LR = 1 exactly
 * when r = r₀, and a translation twice or half as long as expected scores 0.5 either way.
 *
 * <p><b>len</b> counts Unicode code points that carry visible content: every code point except
 * whitespace (Java whitespace and Unicode space separators, incl. NBSP), nonspacing and enclosing
 * marks (general categories Mn, Me: Arabic harakat, shadda, tanwin, combining accents), format
 * characters (Cf: ZWJ/ZWNJ, bidi marks, BOM) and the Arabic tatweel U+0640. Why: whether a
 * translator writes vowel marks, kashida-stretches a word or wraps text in bidi controls says
 * nothing about whether it left content out or hallucinated content in, yet it would move a plain
 * character count by up to ~50% on vocalized Arabic; whitespace is excluded because a translator
 * may reflow spaces freely. Placeholders {@code ⟦n⟧} (inline protected spans) are removed before
 * counting; {@code Candidate.sourceText}/{@code targetText} already hold prose only.
 *
 * <p>Edge cases: len(source) = len(target) = 0 → LR = 1, flagged (nothing to measure, nothing
 * lost); len(target) = 0 only → 0 (the translation is empty); len(source) = 0 only → 0 (the
 * translation has content the source lacks).
 */
public final class LengthRatio {
  private static final int TATWEEL = 0x0640;

  private LengthRatio() {}

  /** The score and whether it was flagged (both texts empty: nothing measured, the score is 1). */
  public record Result(double score, boolean flagged) {}

  /**
   * len as defined in the class javadoc. A candidate's source and target are counted by the
   * {@code too_short} and {@code unfinished} signals and again by Score, and every candidate of a
   * record shares its source: each thread keeps its last few counts ({@link TextMemo}).
   */
  public static int length(String text) {
    return LENGTHS.get(text);
  }

  private static final TextMemo<Integer> LENGTHS = TextMemo.of(4, LengthRatio::count);

  /** {@link #counts} of every code point of the Basic Multilingual Plane, looked up by len. */
  private static final boolean[] COUNTS_BMP = new boolean[0x10000];

  static {
    for (int cp = 0; cp < COUNTS_BMP.length; cp++) {
      COUNTS_BMP[cp] = counts(cp);
    }
  }

  /** len counted (no memo). */
  static int count(String text) {
    String prose = Placeholders.strip(text);
    int n = 0;
    for (int i = 0; i < prose.length(); ) {
      int cp = prose.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < COUNTS_BMP.length ? COUNTS_BMP[cp] : counts(cp)) {
        n++;
      }
    }
    return n;
  }

  /** Whether len counts {@code cp}. */
  static boolean counts(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == TATWEEL) {
      return false;
    }
    int type = Character.getType(cp);
    return type != Character.NON_SPACING_MARK
        && type != Character.ENCLOSING_MARK
        && type != Character.FORMAT;
  }

  /** LR of a translation {@code target} of {@code source} given the calibrated ratio r₀. */
  public static Result measure(String source, String target, double r0) {
    return score(length(source), length(target), r0);
  }

  /** LR from lengths already counted with {@link #length}. */
  public static Result score(int sourceLength, int targetLength, double r0) {
    checkR0(r0);
    if (sourceLength < 0 || targetLength < 0) {
      throw new IllegalArgumentException(
          "lengths must be >= 0, got " + sourceLength + " and " + targetLength);
    }
    if (sourceLength == 0 && targetLength == 0) {
      return new Result(1.0, true);
    }
    if (sourceLength == 0 || targetLength == 0) {
      return new Result(0.0, false);
    }
    double r = (double) targetLength / sourceLength;
    return new Result(Math.min(r / r0, r0 / r), false);
  }

  /** r₀ must be a positive finite ratio; anything else is a configuration error. */
  public static double checkR0(double r0) {
    if (!(r0 > 0) || Double.isInfinite(r0)) {
      throw new IllegalArgumentException("r0 must be a positive finite ratio, got " + r0);
    }
    return r0;
  }
}
