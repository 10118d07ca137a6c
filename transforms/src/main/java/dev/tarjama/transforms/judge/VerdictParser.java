package dev.tarjama.transforms.judge;

import java.util.regex.Pattern;

/**
 * Reads a judge's answer strictly. The grammar, whole answer:
 *
 * <pre>
 * answer  = [think] ws* word ["."] ws*
 * think   = ws* "&lt;think&gt;" any* "&lt;/think&gt;"      ; a reasoning model's thoughts, dropped
 * word    = "accept" | "reject"                     ; ASCII letters, any case
 * </pre>
 *
 * <p>So {@code ACCEPT}, {@code accept}, {@code Accept.}, {@code " REJECT\n"} and {@code
 * "<think>…</think>\n\nREJECT"} are verdicts, and everything else is {@link Verdict#UNDECIDED}:
 * {@code "I accept this"}, {@code "Accept, but the tense is off"}, {@code "**ACCEPT**"}, {@code
 * "ACCEPT!"}, {@code "ACCEPTED"}, {@code "Reject.\nReason: …"}, {@code "ACCEPT REJECT"}, {@code
 * "Yes"}, {@code "قبول"}, an empty answer, and a {@code <think>} block that is never closed. A
 * verdict is only ever taken from an answer that says nothing else: guessing from a sentence
 * ("I would not accept…") is how a filter lets bad pairs through.
 */
public final class VerdictParser {
  private static final Pattern WORD = Pattern.compile("(accept|reject)\\.?", Pattern.CASE_INSENSITIVE);
  private static final String THINK_OPEN = "<think>";
  private static final String THINK_CLOSE = "</think>";

  private VerdictParser() {}

  public static Verdict parse(String answer) {
    if (answer == null) {
      return Verdict.UNDECIDED;
    }
    String text = answer.strip();
    if (text.startsWith(THINK_OPEN)) {
      int close = text.indexOf(THINK_CLOSE);
      if (close < 0) {
        return Verdict.UNDECIDED;
      }
      text = text.substring(close + THINK_CLOSE.length()).strip();
    }
    if (!WORD.matcher(text).matches()) {
      return Verdict.UNDECIDED;
    }
    return Character.toLowerCase(text.charAt(0)) == 'a' ? Verdict.ACCEPT : Verdict.REJECT;
  }
}
