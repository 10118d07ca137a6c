package dev.tarjama.transforms.segment;

/**
 * A JSON object written inline in prose ({@code Send {"name": "x", "id": 3} to the API}),
 * protected as {@link SpanType#INLINE_JSON} like code. It must open with a quoted key ({@code {"}
 * after optional whitespace), close at its matching brace (strings and escapes respected) within
 * {@value #MAX_LENGTH} characters, and parse as exactly one JSON object; so braces in math ({@code
 * {x | x > 0}}, {@code \{1, 2\}}), templates ({@code {name}}) and set notation stay prose. JSON that
 * fills its own lines is found earlier, as a {@link SpanType#JSON} block.
 */
final class InlineJsonSpans {
  static final int MAX_LENGTH = 20_000;

  private InlineJsonSpans() {}

  /** The end of the JSON object that opens at {@code k} (a '{', before {@code b}), or -1. */
  static int end(String t, int k, int b) {
    if (k > 0 && t.charAt(k - 1) == '\\') {
      return -1; // LaTeX \{
    }
    int i = k + 1;
    while (i < b && Character.isWhitespace(t.charAt(i))) {
      i++;
    }
    if (i >= b || t.charAt(i) != '"') {
      return -1;
    }
    int close = matchingBrace(t, k, Math.min(b, k + MAX_LENGTH));
    if (close < 0 || !ProtectedSpans.isJsonDocument(t.substring(k, close + 1))) {
      return -1;
    }
    return close + 1;
  }

  /** The index of the '}' that closes the '{' at {@code k}, outside strings; -1 before {@code limit}. */
  private static int matchingBrace(String t, int k, int limit) {
    int depth = 0;
    boolean inString = false;
    for (int i = k; i < limit; i++) {
      char c = t.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        } else if (c == '\n') {
          return -1; // JSON strings hold no raw line breaks
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return c == '}' ? i : -1;
        }
      }
    }
    return -1;
  }
}
