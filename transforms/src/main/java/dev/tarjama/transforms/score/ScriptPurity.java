package dev.tarjama.transforms.score;

import dev.tarjama.transforms.segment.ProtectedSpans;
import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SCR, script purity (DESIGN.md): letters in the target script ÷ all letters, after removing
 * whitelisted spans.
 *
 * <p>Exactly what is counted:
 *
 * <ul>
 *   <li>The whitelist is {@link ProtectedSpans#SCORE_WHITELIST}, found by the same {@link
 *       ProtectedSpans} finder the segmenter uses: fenced and inline code, {@code [asy]} code,
 *       URLs, e-mail addresses, LaTeX math (inline, display, environments), tool-call JSON and
 *       {@code <tool_call>}-style blocks, {@code <think>} tags (the reasoning between them is
 *       counted), placeholders ⟦n⟧, GSM8K calculator marks, HTML tags and markdown markers, plus
 *       two kinds that are only whitelisted here: chemical formulas (H2O, NaCl, C₆H₁₂O₆) and lone
 *       Latin or Greek letters used as math symbols (x, n, π).
 *   <li>A letter is a code point for which {@link Character#isLetter(int)} holds and whose {@link
 *       Character.UnicodeScript} is a real script. Combining marks (Arabic harakat such as U+064E
 *       fatha, shadda, U+0670 superscript alef) are not letters, so vocalized and unvocalized
 *       Arabic score the same. Letters of script {@code COMMON} or {@code INHERITED} (tatweel
 *       U+0640, math alphanumerics 𝑥, ª-like modifier letters, µ) belong to no script and are left
 *       out of both counts. Digits, punctuation, symbols and whitespace are not letters.
 *   <li>No letter left → the score is 1 and {@code flagged} is true (a code-only or number-only
 *       answer must not be punished, but the report can show how many such candidates there
 *       were).
 * </ul>
 */
public final class ScriptPurity {
  private ScriptPurity() {}

  private static final Map<String, Character.UnicodeScript> SCRIPTS = new ConcurrentHashMap<>();

  /** The score and whether it was flagged (no letters left: the score is then 1). */
  public record Result(double score, boolean flagged) {}

  /**
   * SCR of {@code text} for a target script named by its ISO 15924 code or Unicode script name,
   * e.g. {@code "Arab"}.
   *
   * @throws IllegalArgumentException when {@code targetScript} names no Unicode script
   */
  public static Result measure(String text, String targetScript) {
    int targetOrdinal = script(targetScript).ordinal();
    List<Span> spans = ProtectedSpans.find(text, ProtectedSpans.SCORE_WHITELIST);
    long inTarget = 0;
    long letters = 0;
    int pos = 0;
    int next = 0;
    while (pos < text.length()) {
      if (next < spans.size() && spans.get(next).start() == pos) {
        pos = spans.get(next++).end();
        continue;
      }
      int stop = next < spans.size() ? spans.get(next).start() : text.length();
      while (pos < stop) {
        int cp = text.codePointAt(pos);
        pos += Character.charCount(cp);
        int s = cp < LETTER_SCRIPT_BMP.length ? LETTER_SCRIPT_BMP[cp] : letterScript(cp);
        if (s >= 0) {
          letters++;
          if (s == targetOrdinal) {
            inTarget++;
          }
        }
      }
    }
    if (letters == 0) {
      return new Result(1.0, true);
    }
    return new Result((double) inTarget / letters, false);
  }

  /**
   * The script of a code point that SCR counts as a letter, as its {@link
   * Character.UnicodeScript#ordinal}: a letter of a real script; -1 for anything else (no letter,
   * or a letter of {@code COMMON}, {@code INHERITED} or {@code UNKNOWN}).
   */
  static int letterScript(int cp) {
    if (!Character.isLetter(cp)) {
      return -1;
    }
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.COMMON || s == Character.UnicodeScript.INHERITED
        || s == Character.UnicodeScript.UNKNOWN ? -1 : s.ordinal();
  }

  /**
   * {@link #letterScript} of every code point of the Basic Multilingual Plane, which SCR looks up
   * for each code point of every candidate instead of searching Unicode's script ranges.
   */
  private static final short[] LETTER_SCRIPT_BMP = new short[0x10000];

  static {
    for (int cp = 0; cp < LETTER_SCRIPT_BMP.length; cp++) {
      LETTER_SCRIPT_BMP[cp] = (short) letterScript(cp);
    }
  }

  /** The script named by an ISO 15924 code ({@code Arab}) or a Unicode name ({@code ARABIC}). */
  public static Character.UnicodeScript script(String name) {
    return SCRIPTS.computeIfAbsent(name.trim().toUpperCase(Locale.ROOT), key -> {
      try {
        return Character.UnicodeScript.forName(key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown script (want an ISO 15924 code such as Arab,"
            + " Latn, Cyrl, Hebr, Deva): " + name, e);
      }
    });
  }
}
