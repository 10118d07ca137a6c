package dev.tarjama.transforms.domain;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholder that stands for an inline protected span inside text sent to a translator:
 * {@code ⟦n⟧} (U+27E6, U+27E7). Brackets that never occur in chat data and that LLM translators
 * copy through; a translator may still drop, duplicate or alter one, which {@link #restore}'s
 * callers must treat as a failed candidate (validation), never patch.
 */
public final class Placeholders {
  public static final char OPEN = '\u27E6';
  public static final char CLOSE = '\u27E7';
  public static final Pattern PATTERN = Pattern.compile("\u27E6(\\d{1,4})\u27E7");

  private Placeholders() {}

  public static String of(int n) {
    return OPEN + Integer.toString(n) + CLOSE;
  }

  /** Replaces each ⟦n⟧ by {@code spans.get(n)}; unknown indexes are left as they are. */
  public static String restore(String text, List<String> spans) {
    if (spans.isEmpty() || text.indexOf(OPEN) < 0) {
      return text;
    }
    Matcher m = PATTERN.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 64);
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      String replacement = n < spans.size() ? spans.get(n) : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The text with every placeholder removed (what the intrinsic metrics measure). */
  public static String strip(String text) {
    return text.indexOf(OPEN) < 0 ? text : PATTERN.matcher(text).replaceAll("");
  }
}
