package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.EnumSet;
import java.util.List;

/**
 * One run of {@link ProtectedSpans#find} as each span family sees it: the text, the kinds switched
 * on, the blocks found so far, and the text helpers every family uses. Each family ({@link
 * CodeSpans}, {@link MathSpans}, {@link LinkSpans}, {@link MarkupSpans}, {@link DatasetSpans}) is
 * one subclass; {@link SpanFinder} runs the two passes and asks them.
 */
abstract class SpanScanner {
  /** Bounds for searches that start at an inline opener, so a stray opener costs O(1), not O(n). */
  static final int MAX_INLINE = 20_000;

  static boolean isHorizontalSpace(char c) {
    return c == ' ' || c == '\t';
  }

  static boolean isPunctuation(int c) {
    if (c < 128) {
      return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96)
          || (c >= 123 && c <= 126);
    }
    int type = Character.getType(c);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION || type == Character.MATH_SYMBOL
        || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL
        || type == Character.OTHER_SYMBOL;
  }

  final String t;
  final int n;
  final EnumSet<SpanType> on;
  /** The block pass's spans, shared by every family of one run. */
  final List<Span> blocks;

  SpanScanner(String text, EnumSet<SpanType> on, List<Span> blocks) {
    this.t = text;
    this.n = text.length();
    this.on = on;
    this.blocks = blocks;
  }

  /** Another family over the same run: the same text, kinds and blocks. */
  SpanScanner(SpanScanner run) {
    this(run.t, run.on, run.blocks);
  }

  int lineEnd(int i) {
    int e = t.indexOf('\n', i);
    return e < 0 ? n : e;
  }

  int skipHorizontalSpace(int i, int limit) {
    while (i < limit && isHorizontalSpace(t.charAt(i))) {
      i++;
    }
    return i;
  }

  boolean isBlank(int a, int b) {
    for (int i = a; i < b; i++) {
      if (!Character.isWhitespace(t.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  int trimEnd(int a, int b) {
    while (b > a && Character.isWhitespace(t.charAt(b - 1))) {
      b--;
    }
    return b;
  }

  int runLength(int i, char c) {
    int k = i;
    while (k < n && t.charAt(k) == c) {
      k++;
    }
    return k - i;
  }

  /** Whether the character at {@code k} is preceded by an odd number of backslashes. */
  boolean escaped(int k) {
    int b = 0;
    for (int i = k - 1; i >= 0 && t.charAt(i) == '\\'; i--) {
      b++;
    }
    return (b & 1) == 1;
  }

  /** Whether a blank line (only whitespace between two newlines) lies in {@code [a, b)}. */
  boolean hasBlankLine(int a, int b) {
    for (int i = t.indexOf('\n', a); i >= 0 && i < b; i = t.indexOf('\n', i + 1)) {
      int j = i + 1;
      while (j < b && j < n && t.charAt(j) != '\n' && Character.isWhitespace(t.charAt(j))) {
        j++;
      }
      if (j < b && j < n && t.charAt(j) == '\n') {
        return true;
      }
    }
    return false;
  }

  static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  void addBlock(int start, int end, SpanType type) {
    blocks.add(new Span(start, end, type, true));
  }

  /**
   * The index of the next unescaped {@code delim} in {@code [from, limit)}, or -1; newlines
   * allowed or not, blank lines never unless {@code acrossParagraphs}.
   */
  int findClosing(String delim, int from, int limit, boolean acrossLines,
      boolean acrossParagraphs) {
    int k = from;
    while (true) {
      int idx = t.indexOf(delim, k);
      if (idx < 0 || idx + delim.length() > limit) {
        return -1;
      }
      if (!acrossLines) {
        int nl = t.indexOf('\n', from);
        if (nl >= 0 && nl < idx) {
          return -1;
        }
      } else if (!acrossParagraphs && hasBlankLine(from, idx)) {
        return -1;
      }
      if (!escaped(idx)) {
        return idx;
      }
      k = idx + 1;
    }
  }
}
