package dev.tarjama.transforms.segment;

import java.util.Locale;
import java.util.Set;

/**
 * Inline HTML elements whose content is literal rather than prose, protected whole (tags and
 * content) as {@link SpanType#HTML_ELEMENT} like code: {@code <kbd>Ctrl</kbd>}, {@code
 * <code>ls -l</code>}, {@code <samp>}, {@code <var>}, {@code <tt>}. The element must open and close
 * on one line, with the same name (any case; attributes allowed on the opening tag), nested
 * elements of the same name balanced ({@code <kbd><kbd>Ctrl</kbd>+<kbd>C</kbd></kbd>}). Other
 * elements ({@code <b>important</b>}) keep prose inside: only their tags are protected ({@link
 * SpanType#HTML_TAG}). A lone {@code <} in prose ("a < b and c > d") is never an element.
 */
final class HtmlElementSpans {
  static final Set<String> LITERAL = Set.of("kbd", "code", "samp", "var", "tt");

  private HtmlElementSpans() {}

  /** The end of the literal element that opens at {@code k} (a '<', before {@code b}), or -1. */
  static int end(String t, int k, int b) {
    int lineEnd = t.indexOf('\n', k);
    int limit = Math.min(b, lineEnd < 0 ? t.length() : lineEnd);
    String name = openingName(t, k, limit);
    if (name == null) {
      return -1;
    }
    int depth = 0;
    for (int i = k; i < limit; i = t.indexOf('<', i + 1)) {
      if (i < 0) {
        return -1;
      }
      if (name.equals(openingName(t, i, limit))) {
        depth++;
      } else if (t.regionMatches(true, i, "</" + name + ">", 0, name.length() + 3)) {
        depth--;
        if (depth == 0) {
          return i + name.length() + 3;
        }
      }
    }
    return -1;
  }

  /** The literal element name of an opening tag {@code <name>} or {@code <name attrs>} at k. */
  private static String openingName(String t, int k, int limit) {
    int i = k + 1;
    while (i < limit && Character.isLetter(t.charAt(i)) && t.charAt(i) < 128) {
      i++;
    }
    if (i == k + 1 || i >= limit) {
      return null;
    }
    String name = t.substring(k + 1, i).toLowerCase(Locale.ROOT);
    if (!LITERAL.contains(name)) {
      return null;
    }
    char c = t.charAt(i);
    if (c == '>') {
      return name;
    }
    if (c != ' ' && c != '\t') {
      return null;
    }
    int close = t.indexOf('>', i);
    int open = t.indexOf('<', i);
    return close > 0 && close < limit && (open < 0 || open > close) ? name : null;
  }
}
