package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;

/**
 * One run of {@link ProtectedSpans#find}: the block pass line by line, then the inline pass over
 * the text between blocks, each asking the span families what starts where.
 */
final class SpanFinder extends SpanScanner {
  private final boolean scoreSymbols;
  private final List<Span> out = new ArrayList<>();
  private final CodeSpans code;
  private final MathSpans math;
  private final LinkSpans links;
  private final MarkupSpans markup;
  private final DatasetSpans dataset;

  SpanFinder(String text, EnumSet<SpanType> on) {
    super(text, on, new ArrayList<>());
    this.scoreSymbols = on.contains(SpanType.CHEM_FORMULA) || on.contains(SpanType.MATH_SYMBOL);
    this.code = new CodeSpans(this);
    this.math = new MathSpans(this);
    this.links = new LinkSpans(this);
    this.markup = new MarkupSpans(this);
    this.dataset = new DatasetSpans(this);
  }

  List<Span> run() {
    if (on.contains(SpanType.JSON) && ProtectedSpans.isJsonDocument(t)) {
      // a whole field of tool-call JSON, however it is laid out
      int start = 0;
      while (Character.isWhitespace(t.charAt(start))) {
        start++;
      }
      blocks.add(new Span(start, trimEnd(start, n), SpanType.JSON, true));
    } else {
      scanBlocks();
    }
    int pos = 0;
    for (Span b : blocks) {
      if (b.start() > pos) {
        scanInline(pos, b.start());
      }
      out.add(b);
      pos = b.end();
    }
    if (pos < n) {
      scanInline(pos, n);
    }
    return out;
  }

  private void scanBlocks() {
    int i = 0;
    while (i < n) {
      if (i == 0 || t.charAt(i - 1) == '\n') {
        int end = lineBlock(i);
        if (end >= 0) {
          i = end;
          continue;
        }
      }
      char c = t.charAt(i);
      if (c == '`') {
        int r = runLength(i, '`');
        int end = code.codeSpanEnd(i + r, r, n);
        i = end >= 0 ? end : i + r;
        continue;
      }
      if (c == '<') {
        int end = code.tagBlock(i);
        if (end >= 0) {
          i = end;
          continue;
        }
      }
      if (c == '[' && on.contains(SpanType.ASYMPTOTE) && t.startsWith("[asy]", i)) {
        int close = t.indexOf("[/asy]", i + 5);
        if (close >= 0) {
          addBlock(i, close + 6, SpanType.ASYMPTOTE);
          i = close + 6;
          continue;
        }
      }
      i++;
    }
  }

  /** A block that starts at line start {@code ls}; returns its end, or -1 when none. */
  private int lineBlock(int ls) {
    int le = lineEnd(ls);
    int j = skipHorizontalSpace(ls, le);
    if (j >= le) {
      return -1;
    }
    char c = t.charAt(j);
    switch (c) {
      case '`', '~' -> {
        if (on.contains(SpanType.CODE_FENCE)) {
          int end = code.fence(ls, j, le, c);
          if (end >= 0) {
            addBlock(ls, end, SpanType.CODE_FENCE);
            return end;
          }
        }
      }
      case '$' -> {
        if (on.contains(SpanType.MATH_DISPLAY) && t.startsWith("$$", j)) {
          int close = findClosing("$$", j + 2, n, true, false);
          if (close >= 0 && isBlank(close + 2, lineEnd(close + 2))) {
            addBlock(ls, close + 2, SpanType.MATH_DISPLAY);
            return close + 2;
          }
        }
      }
      case '\\' -> {
        if (on.contains(SpanType.MATH_DISPLAY) && t.startsWith("\\[", j)) {
          int close = findClosing("\\]", j + 2, n, true, false);
          if (close >= 0 && isBlank(close + 2, lineEnd(close + 2))) {
            addBlock(ls, close + 2, SpanType.MATH_DISPLAY);
            return close + 2;
          }
        } else if (on.contains(SpanType.MATH_ENV) && t.startsWith("\\begin{", j)) {
          int end = math.environmentEnd(j, n);
          if (end >= 0 && isBlank(end, lineEnd(end))) {
            addBlock(ls, end, SpanType.MATH_ENV);
            return end;
          }
        }
      }
      case '#' -> {
        if (on.contains(SpanType.GSM8K_ANSWER) && dataset.isGsm8kAnswer(j, le)) {
          int end = trimEnd(j, le);
          addBlock(ls, end, SpanType.GSM8K_ANSWER);
          return end;
        }
      }
      default -> {}
    }
    if ((c == '|' || c == '-' || c == ':') && on.contains(SpanType.MD_TABLE)
        && markup.isTableSeparator(ls, le)) {
      int end = trimEnd(ls, le);
      addBlock(ls, end, SpanType.MD_TABLE);
      return end;
    }
    if ((c == '-' || c == '*' || c == '_') && on.contains(SpanType.MD_RULE)
        && MarkupSpans.HORIZONTAL_RULE.matcher(t.substring(ls, trimEnd(ls, le))).matches()) {
      int end = trimEnd(ls, le);
      addBlock(ls, end, SpanType.MD_RULE);
      return end;
    }
    if ((c == '{' || c == '[') && on.contains(SpanType.JSON)) {
      int end = dataset.jsonEnd(j);
      if (end >= 0 && isBlank(end, lineEnd(end)) && DatasetSpans.parsesAsJsonContainer(t.substring(j, end))) {
        addBlock(ls, end, SpanType.JSON);
        return end;
      }
    }
    return -1;
  }

  private void scanInline(int a, int b) {
    List<Span> cand = new ArrayList<>();
    markup.lineStarts(a, b, cand);
    for (int k = a; k < b; k++) {
      char c = t.charAt(k);
      switch (c) {
        case '`' -> {
          int r = runLength(k, '`');
          int end = code.codeSpanEnd(k + r, r, b);
          if (end >= 0 && on.contains(SpanType.INLINE_CODE)) {
            cand.add(new Span(k, end, SpanType.INLINE_CODE, false));
            k = end - 1;
          } else {
            k += Math.min(r, b - k) - 1;
          }
        }
        case '$' -> k = math.dollar(k, b, cand);
        case '\\' -> math.backslashMath(k, b, cand);
        case '<' -> code.angle(k, b, cand);
        case '{' -> k = added(InlineJsonSpans.end(t, k, b), k, SpanType.INLINE_JSON, cand);
        case Placeholders.OPEN -> {
          Matcher m = Placeholders.PATTERN.matcher(t).region(k, b);
          if (m.lookingAt()) {
            cand.add(new Span(k, m.end(), SpanType.PLACEHOLDER, false));
          }
        }
        case ':' -> links.url(k, a, b, cand);
        case 'w', 'W' -> links.www(k, b, cand);
        case '@' -> links.email(k, a, b, cand);
        case '[' -> links.link(k, a, b, cand);
        default -> {
          if (on.contains(SpanType.EMOJI) && EmojiSpans.mayStart(c)) {
            int emoji = k;
            k = added(EmojiSpans.end(t, k, b), k, SpanType.EMOJI, cand);
            if (k > emoji) {
              continue;
            }
          }
          if (scoreSymbols && c < 0x3000 && Character.isLetter(c)) {
            math.scoreOnlySymbols(k, b, cand);
          }
        }
      }
    }
    cand.sort(Comparator.comparingInt(Span::start)
        .thenComparing(Comparator.comparingInt(Span::end).reversed()));
    List<Span> accepted = new ArrayList<>();
    int last = a;
    for (Span s : cand) {
      if (s.start() >= last && s.end() > s.start()) {
        accepted.add(s);
        last = s.end();
      }
    }
    if (on.contains(SpanType.MD_EMPHASIS)) {
      markup.emphasis(a, b, accepted);
      accepted.sort(Comparator.comparingInt(Span::start));
    }
    out.addAll(accepted);
  }

  /**
   * Adds an inline span {@code [k, end)} of {@code type} when that kind is on and {@code end} >
   * 0 (a family's finder found one); returns where the scan goes on (the span's last char, or k).
   */
  private int added(int end, int k, SpanType type, List<Span> cand) {
    if (end <= k || !on.contains(type)) {
      return k;
    }
    cand.add(new Span(k, end, type, false));
    return end - 1;
  }
}
