package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.segment.ProtectedSpans.Span;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Markdown structure: list, heading and quote markers at line starts, table rows and pipes, and
 * emphasis markers (in pairs on one line, CommonMark's flanking rules, never inside a word).
 */
final class MarkupSpans extends SpanScanner {
  static final Pattern TABLE_SEPARATOR =
      Pattern.compile("\\|?[ \\t]*:?-+:?[ \\t]*(\\|[ \\t]*:?-+:?[ \\t]*)*\\|?");

  static final Pattern HORIZONTAL_RULE =
      Pattern.compile(" {0,3}([-*_])[ \\t]*(\\1[ \\t]*){2,}");

  MarkupSpans(SpanScanner run) {
    super(run);
  }

  /** Markdown markers at the start of each line in {@code [a, b)}, and table pipes. */
  void lineStarts(int a, int b, List<Span> cand) {
    int ls = a;
    boolean atLineStart = a == 0 || t.charAt(a - 1) == '\n';
    while (ls < b) {
      int le = Math.min(lineEnd(ls), b);
      if (atLineStart) {
        linePrefix(ls, le, cand);
      }
      if (on.contains(SpanType.MD_TABLE) && isTableRow(ls, le, atLineStart)) {
        tablePipes(ls, le, cand);
      }
      ls = le + 1;
      atLineStart = true;
    }
  }

  void linePrefix(int ls, int le, List<Span> cand) {
    int k = skipHorizontalSpace(ls, le);
    int start = ls;
    if (k < le && t.charAt(k) == '>' && on.contains(SpanType.MD_BLOCKQUOTE)) {
      while (k < le && t.charAt(k) == '>') {
        k = skipHorizontalSpace(k + 1, le);
      }
      cand.add(new Span(ls, k, SpanType.MD_BLOCKQUOTE, false));
      start = k;
    }
    if (k >= le) {
      return;
    }
    char c = t.charAt(k);
    if (c == '#' && on.contains(SpanType.MD_HEADING)) {
      int r = runLength(k, '#');
      if (r <= 6 && (k + r >= le || isHorizontalSpace(t.charAt(k + r)))) {
        cand.add(new Span(start, skipHorizontalSpace(k + r, le), SpanType.MD_HEADING, false));
      }
      return;
    }
    if (!on.contains(SpanType.MD_LIST)) {
      return;
    }
    int end = -1;
    if ((c == '-' || c == '*' || c == '+') && k + 1 < le && isHorizontalSpace(t.charAt(k + 1))) {
      end = k + 1;
    } else if (c >= '0' && c <= '9') {
      int d = k;
      while (d < le && d - k < 9 && t.charAt(d) >= '0' && t.charAt(d) <= '9') {
        d++;
      }
      if (d + 1 < le && (t.charAt(d) == '.' || t.charAt(d) == ')')
          && isHorizontalSpace(t.charAt(d + 1))) {
        end = d + 1;
      }
    }
    if (end < 0) {
      return;
    }
    end = skipHorizontalSpace(end, le);
    // task-list box "[ ] " / "[x] " belongs to the bullet
    if (end + 3 <= le && t.charAt(end) == '[' && t.charAt(end + 2) == ']'
        && " xX".indexOf(t.charAt(end + 1)) >= 0
        && (end + 3 == le || isHorizontalSpace(t.charAt(end + 3)))) {
      end = skipHorizontalSpace(end + 3, le);
    }
    cand.add(new Span(start, end, SpanType.MD_LIST, false));
  }

  boolean isTableRow(int ls, int le, boolean atLineStart) {
    int k = skipHorizontalSpace(ls, le);
    if (k >= le) {
      return false;
    }
    if (atLineStart && t.charAt(k) == '|') {
      return true;
    }
    if (t.indexOf('|', k) < 0 || t.indexOf('|', k) >= le) {
      return false;
    }
    // a row without a leading pipe: next to a separator row
    int lineStart = t.lastIndexOf('\n', ls - 1) + 1;
    int fullEnd = lineEnd(ls);
    if (lineStart > 0) {
      int prevStart = t.lastIndexOf('\n', lineStart - 2) + 1;
      if (isTableSeparator(prevStart, lineStart - 1)) {
        return true;
      }
    }
    return fullEnd < n && isTableSeparator(fullEnd + 1, lineEnd(fullEnd + 1));
  }

  void tablePipes(int ls, int le, List<Span> cand) {
    int prevEnd = ls;
    for (int k = t.indexOf('|', ls); k >= 0 && k < le; k = t.indexOf('|', k + 1)) {
      if (escaped(k)) {
        continue;
      }
      int s = k;
      while (s > prevEnd && isHorizontalSpace(t.charAt(s - 1))) {
        s--;
      }
      int e = k + 1;
      int nextPipe = t.indexOf('|', e);
      int stop = nextPipe < 0 || nextPipe > le ? le : nextPipe;
      while (e < stop && isHorizontalSpace(t.charAt(e))) {
        e++;
      }
      cand.add(new Span(s, e, SpanType.MD_TABLE, false));
      prevEnd = e;
    }
  }

  boolean isTableSeparator(int ls, int le) {
    int end = trimEnd(ls, le);
    int start = skipHorizontalSpace(ls, end);
    if (start >= end || t.indexOf('|', start) < 0 || t.indexOf('|', start) >= end) {
      return false;
    }
    return TABLE_SEPARATOR.matcher(t.substring(start, end)).matches();
  }

  /** Paired emphasis markers on each line of {@code [a, b)}, outside {@code accepted}. */
  void emphasis(int a, int b, List<Span> accepted) {
    BitSet covered = new BitSet(b - a);
    for (Span s : accepted) {
      covered.set(s.start() - a, s.end() - a);
    }
    List<Span> found = new ArrayList<>();
    int ls = a;
    while (ls < b) {
      int le = Math.min(lineEnd(ls), b);
      List<Run> stack = new ArrayList<>();
      int k = ls;
      while (k < le) {
        char c = t.charAt(k);
        if ((c != '*' && c != '_' && c != '~') || covered.get(k - a) || escaped(k)) {
          k++;
          continue;
        }
        int len = 1;
        while (k + len < le && t.charAt(k + len) == c && !covered.get(k + len - a)) {
          len++;
        }
        Run run = delimiterRun(k, len, c);
        k += len;
        if (run == null) {
          continue;
        }
        if (run.canClose()) {
          int match = -1;
          for (int i = stack.size() - 1; i >= 0; i--) {
            Run o = stack.get(i);
            if (o.c() == c && o.len() == len) {
              match = i;
              break;
            }
          }
          if (match >= 0) {
            Run open = stack.get(match);
            found.add(new Span(open.start(), open.start() + len, SpanType.MD_EMPHASIS, false));
            found.add(new Span(run.start(), run.start() + len, SpanType.MD_EMPHASIS, false));
            stack.subList(match, stack.size()).clear();
            continue;
          }
        }
        if (run.canOpen()) {
          stack.add(run);
        }
      }
      ls = le + 1;
    }
    accepted.addAll(found);
  }

  Run delimiterRun(int k, int len, char c) {
    if (len > 3 || (c == '~' && len != 2)) {
      return null;
    }
    int prev = k > 0 ? t.codePointBefore(k) : '\n';
    int next = k + len < n ? t.codePointAt(k + len) : '\n';
    if (Character.isLetterOrDigit(prev) && Character.isLetterOrDigit(next)) {
      return null; // inside a word: snake_case, 2*3
    }
    boolean prevSpace = Character.isWhitespace(prev);
    boolean nextSpace = Character.isWhitespace(next);
    boolean prevPunct = isPunctuation(prev);
    boolean nextPunct = isPunctuation(next);
    boolean left = !nextSpace && (!nextPunct || prevSpace || prevPunct);
    boolean right = !prevSpace && (!prevPunct || nextSpace || nextPunct);
    boolean canOpen = c == '_' ? left && (!right || prevPunct) : left;
    boolean canClose = c == '_' ? right && (!left || nextPunct) : right;
    if (!canOpen && !canClose) {
      return null;
    }
    return new Run(k, len, c, canOpen, canClose);
  }

  record Run(int start, int len, char c, boolean canOpen, boolean canClose) {}
}
