package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Code and markup that is code: fenced blocks and inline code spans, {@code <tool_call>}-style
 * blocks and {@code <think>} tags, HTML tags of known elements and literal HTML elements.
 */
final class CodeSpans extends SpanScanner {
  static final Set<String> HTML_TAGS =
      Set.of("a", "abbr", "address", "article", "aside", "audio", "b", "blockquote", "body", "br",
          "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
          "details", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html",
          "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main",
          "mark", "meta", "nav", "noscript", "ol", "optgroup", "option", "p", "pre", "q", "s",
          "samp", "script", "section", "select", "small", "source", "span", "strike", "strong",
          "style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea",
          "tfoot", "th", "thead", "title", "tr", "u", "ul", "var", "video", "wbr");

  static final String[] TOOL_TAGS = {"tool_call", "tool_response", "tools"};

  CodeSpans(SpanScanner run) {
    super(run);
  }

  /** Whether the line starting at {@code ls} opens a code fence (3+ backticks or tildes). */
  boolean opensFence(int ls) {
    int le = lineEnd(ls);
    int j = skipHorizontalSpace(ls, le);
    if (j >= le) {
      return false;
    }
    char c = t.charAt(j);
    return (c == '`' || c == '~') && runLength(j, c) >= 3;
  }

  /**
   * The end of the inline code span whose opening run of {@code len} backticks ends at {@code
   * from}: the end of the next run of exactly {@code len} backticks in the same paragraph
   * (CommonMark), or -1. A blank line or a fence line ends the paragraph.
   */
  int codeSpanEnd(int from, int len, int limit) {
    int k = from;
    while (k < limit && k - from < MAX_INLINE) {
      char c = t.charAt(k);
      if (c == '`') {
        int r = runLength(k, '`');
        if (k + r > limit) {
          return -1;
        }
        if (r == len) {
          return k + r;
        }
        k += r;
      } else if (c == '\n') {
        int next = k + 1;
        if (next >= limit) {
          return -1;
        }
        int le = lineEnd(next);
        if (isBlank(next, Math.min(le, limit)) || opensFence(next)) {
          return -1;
        }
        k++;
      } else {
        k++;
      }
    }
    return -1;
  }

  /** The end of a fenced code block opened by the run at {@code j}, or -1 when not a fence. */
  int fence(int ls, int j, int le, char c) {
    int len = runLength(j, c);
    if (len < 3) {
      return -1;
    }
    if (c == '`' && t.indexOf('`', j + len) >= 0 && t.indexOf('`', j + len) < le) {
      return -1; // a backtick in the info string: CommonMark says inline code, not a fence
    }
    int p = le;
    while (p < n) {
      int ls2 = p + 1;
      int le2 = lineEnd(ls2);
      int k = skipHorizontalSpace(ls2, le2);
      if (k < le2 && t.charAt(k) == c) {
        int r = runLength(k, c);
        if (r >= len && isBlank(k + r, le2)) {
          return trimEnd(k, le2);
        }
      }
      p = le2;
    }
    return n; // unclosed: the code runs to the end of the text
  }

  int tagBlock(int i) {
    if (t.startsWith("<think>", i)) {
      addBlock(i, i + 7, SpanType.THINK_TAG);
      return i + 7;
    }
    if (t.startsWith("</think>", i)) {
      addBlock(i, i + 8, SpanType.THINK_TAG);
      return i + 8;
    }
    if (!on.contains(SpanType.TOOL_CALL)) {
      return -1;
    }
    for (String tag : TOOL_TAGS) {
      String open = "<" + tag + ">";
      if (t.startsWith(open, i)) {
        String close = "</" + tag + ">";
        int c = t.indexOf(close, i + open.length());
        int end = c < 0 ? n : c + close.length();
        addBlock(i, end, SpanType.TOOL_CALL);
        return end;
      }
    }
    return -1;
  }

  void angle(int k, int b, List<Span> cand) {
    if (t.startsWith("<<", k) && on.contains(SpanType.CALC)) {
      int close = t.indexOf(">>", k + 2);
      int le = lineEnd(k);
      if (close > k + 2 && close + 2 <= b && close < le) {
        boolean equation = false;
        boolean clean = true;
        for (int i = k + 2; i < close; i++) {
          char c = t.charAt(i);
          equation |= c == '=';
          clean &= c != '<' && c != '>';
        }
        if (equation && clean) {
          cand.add(new Span(k, close + 2, SpanType.CALC, false));
        }
      }
      return;
    }
    if (on.contains(SpanType.HTML_ELEMENT)) {
      // The whole element; its own tags, found below too, lose to it as overlapping spans.
      int end = HtmlElementSpans.end(t, k, b);
      if (end > 0) {
        cand.add(new Span(k, end, SpanType.HTML_ELEMENT, false));
      }
    }
    if (!on.contains(SpanType.HTML_TAG)) {
      return;
    }
    if (t.startsWith("<!--", k)) {
      int close = t.indexOf("-->", k + 4);
      if (close >= 0 && close + 3 <= b && close - k < MAX_INLINE) {
        cand.add(new Span(k, close + 3, SpanType.HTML_TAG, false));
      }
      return;
    }
    int i = k + 1;
    if (i < b && t.charAt(i) == '/') {
      i++;
    }
    int nameStart = i;
    while (i < b
        && (isAsciiLetter(t.charAt(i)) || (i > nameStart && Character.isDigit(t.charAt(i))))) {
      i++;
    }
    if (i == nameStart
        || !HTML_TAGS.contains(t.substring(nameStart, i).toLowerCase(Locale.ROOT))) {
      return;
    }
    int le = Math.min(lineEnd(k), b);
    if (i < le && (t.charAt(i) == '>')) {
      cand.add(new Span(k, i + 1, SpanType.HTML_TAG, false));
      return;
    }
    if (i < le && (isHorizontalSpace(t.charAt(i)) || t.charAt(i) == '/')) {
      int close = t.indexOf('>', i);
      int open = t.indexOf('<', i);
      if (close >= 0 && close < le && (open < 0 || open > close)) {
        cand.add(new Span(k, close + 1, SpanType.HTML_TAG, false));
      }
    }
  }
}
